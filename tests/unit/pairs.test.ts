// Rankings → preference pairs: C(K,2) for a strict ranking, no pair inside a tie.
import { describe, expect, it } from "vitest";
import { pairCount, rankingToPairs } from "../../server/services/pairs";

describe("rankingToPairs", () => {
  it("gives all C(K,2) pairs of a strict ranking, better one first", () => {
    const pairs = rankingToPairs([["a"], ["b"], ["c"], ["d"]]);
    expect(pairs).toHaveLength(6);
    expect(pairs).toContainEqual({ chosen: "a", rejected: "d" });
    expect(pairs).toContainEqual({ chosen: "c", rejected: "d" });
    expect(pairs.some((p) => p.chosen === "d")).toBe(false);
    expect(pairCount([["a"], ["b"], ["c"], ["d"]])).toBe(6);
  });

  it("gives no pair inside a tie group", () => {
    const ordering = [["a"], ["b", "c"], ["d"]];
    const pairs = rankingToPairs(ordering);
    expect(pairs).toHaveLength(5);
    expect(pairs).not.toContainEqual({ chosen: "b", rejected: "c" });
    expect(pairs).not.toContainEqual({ chosen: "c", rejected: "b" });
    expect(pairCount(ordering)).toBe(5);
  });

  it("gives nothing for a single all-tied group", () => {
    expect(rankingToPairs([["a", "b", "c"]])).toEqual([]);
    expect(pairCount([["a", "b", "c"]])).toBe(0);
  });
});
