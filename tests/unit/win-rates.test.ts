// Win rates, Wilson intervals and Bradley–Terry ratings against numbers worked out by hand on small tables.
import { describe, expect, it } from "vitest";
import { fitBradleyTerry, headToHeadCounts, invert, leaderboard, wilsonInterval, winRate, type HeadToHead } from "../../server/services/win-rates";

const modelOf = (map: Record<string, string | null>) => (id: string) => map[id] ?? null;

describe("headToHeadCounts", () => {
  it("counts every cross-model pair of completions in a ranking once, ties apart, same-model pairs not at all", () => {
    const cells = headToHeadCounts([
      { ordering: [["x"], ["y"]], modelOf: modelOf({ x: "A", y: "B" }) }, // A beats B
      { ordering: [["y"], ["x"]], modelOf: modelOf({ x: "A", y: "B" }) }, // B beats A
      { ordering: [["x", "y"], ["z"]], modelOf: modelOf({ x: "A", y: "B", z: "C" }) }, // A ties B; both beat C
      { ordering: [["p"], ["q"], ["r"]], modelOf: modelOf({ p: "A", q: "A", r: "B" }) }, // A beats B twice; p vs q is A vs A
      { ordering: [["u"], ["v"]], modelOf: modelOf({ u: "A", v: null }) }, // no model: nothing
    ]);
    const get = (model: string, against: string) => cells.find((c) => c.model === model && c.against === against);
    expect(get("A", "B")).toEqual({ model: "A", against: "B", wins: 3, losses: 1, ties: 1 });
    expect(get("B", "A")).toEqual({ model: "B", against: "A", wins: 1, losses: 3, ties: 1 });
    expect(get("A", "C")).toEqual({ model: "A", against: "C", wins: 1, losses: 0, ties: 0 });
    expect(get("C", "B")).toEqual({ model: "C", against: "B", wins: 0, losses: 1, ties: 0 });
    expect(cells).toHaveLength(6);
  });
});

describe("winRate and wilsonInterval", () => {
  it("counts a tie as half a win: 3 wins, 1 loss, 1 tie is (3 + 0.5) / 5 = 0.7, Wilson 95% [0.2988, 0.9274]", () => {
    const r = winRate({ model: "A", against: "B", wins: 3, losses: 1, ties: 1 });
    expect(r.comparisons).toBe(5);
    expect(r.winRate).toBeCloseTo(0.7, 12);
    expect(r.ciLow).toBeCloseTo(0.298791054072, 9);
    expect(r.ciHigh).toBeCloseTo(0.927415960014, 9);
    // The other side's interval mirrors it.
    const other = winRate({ model: "B", against: "A", wins: 1, losses: 3, ties: 1 });
    expect(other.ciLow).toBeCloseTo(1 - r.ciHigh, 12);
  });

  it("stays inside [0, 1] at the edges and is the whole range with no data", () => {
    const all = wilsonInterval(1, 4);
    expect(all.low).toBeCloseTo(0.510109163545, 9);
    expect(all.high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

const cell = (model: string, against: string, wins: number, losses: number, ties = 0): HeadToHead[] => [
  { model, against, wins, losses, ties },
  { model: against, against: model, wins: losses, losses: wins, ties },
];

describe("fitBradleyTerry", () => {
  it("two models, 3 wins to 1: θ = ±ln(3)/2, standard error √(1/3) from the Hessian", () => {
    const fit = fitBradleyTerry(cell("A", "B", 3, 1), { ridge: 0 });
    expect(fit.models).toEqual(["A", "B"]);
    expect(fit.theta[0]).toBeCloseTo(Math.log(3) / 2, 9);
    expect(fit.theta[1]).toBeCloseTo(-Math.log(3) / 2, 9);
    // Var(θA − θB) = 1 / (n p (1 − p)) = 1 / (4 · 3/4 · 1/4) = 4/3, and θA = (θA − θB) / 2 under the centring.
    expect(fit.se[0]).toBeCloseTo(Math.sqrt(1 / 3), 9);
  });

  it("three models whose counts are exactly transitive (2:1, 2:1, 4:1) get θ = ln 2, 0, −ln 2", () => {
    const fit = fitBradleyTerry([...cell("A", "B", 2, 1), ...cell("B", "C", 2, 1), ...cell("A", "C", 4, 1)], { ridge: 0 });
    [Math.log(2), 0, -Math.log(2)].forEach((want, i) => expect(fit.theta[i]).toBeCloseTo(want, 9));
  });

  it("a symmetric cycle rates everyone equal; a model that never lost stays finite with the default prior", () => {
    const cycle = fitBradleyTerry([...cell("A", "B", 2, 1), ...cell("B", "C", 2, 1), ...cell("C", "A", 2, 1)], { ridge: 0 });
    for (const x of cycle.theta) expect(x).toBeCloseTo(0, 9);
    const perfect = fitBradleyTerry(cell("A", "B", 5, 0));
    expect(Number.isFinite(perfect.theta[0])).toBe(true);
    expect(perfect.theta[0]).toBeGreaterThan(1);
  });

  it("inverts a small matrix", () => {
    expect(invert([[2, 1], [1, 1]])).toEqual([[1, -1], [-1, 2]]);
  });
});

describe("leaderboard", () => {
  it("rates on the Elo-like scale 1000 + 400·log10(e)·θ, best first, with each model's win rates", () => {
    const board = leaderboard(cell("A", "B", 3, 1), { ridge: 0 });
    expect(board.map((e) => e.name)).toEqual(["A", "B"]);
    expect(board[0]!.rating).toBeCloseTo(1095.424250944, 6);
    expect(board[0]!.ratingLow).toBeCloseTo(898.8476749, 5);
    expect(board[1]!.rating).toBeCloseTo(1000 - 95.424250944, 6);
    expect(board[0]!.comparisons).toBe(4);
    expect(board[0]!.winRates).toMatchObject([{ against: "B", wins: 3, losses: 1, ties: 0, winRate: 0.75 }]);
  });
});
