// Ranking validation: exactly the shown completions, each once; ties only where allowed; "cannot rank" rules.
import { describe, expect, it } from "vitest";
import { ServiceError } from "../../server/services/errors";
import { validateRanking, type RankingRules } from "../../server/services/ranking-validation";

const rules: RankingRules = { shown: ["a", "b", "c", "d"], allowTies: false, flagSet: ["harmful", "off-topic"], likertScale: 7 };
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).message;
  }
  throw new Error("expected a validation error");
};

describe("validateRanking", () => {
  it("accepts a strict ranking of exactly the shown completions", () => {
    expect(validateRanking({ ranking: [["c"], ["a"], ["d"], ["b"]] }, rules)).toEqual({
      ordering: [["c"], ["a"], ["d"], ["b"]],
      notRankable: false,
      notRankableReason: null,
      flags: {},
      ratings: {},
      rationale: null,
    });
  });

  it("rejects a missing, unknown or repeated completion", () => {
    expect(message(() => validateRanking({ ranking: [["a"], ["b"], ["c"]] }, rules))).toMatch(/Rank all 4 completions \(1 still unranked\)/);
    expect(message(() => validateRanking({ ranking: [["a"], ["b"], ["c"], ["x"]] }, rules))).toMatch(/not shown/);
    expect(message(() => validateRanking({ ranking: [["a"], ["b"], ["c"], ["d"], ["a"]] }, rules))).toMatch(/more than once/);
    expect(message(() => validateRanking({ ranking: [["a"], [], ["b"], ["c"], ["d"]] }, rules))).toMatch(/empty group/);
  });

  it("allows ties only where the project allows them, and never everything in one tie", () => {
    const tied = { ranking: [["a", "b"], ["c"], ["d"]] };
    expect(message(() => validateRanking(tied, rules))).toMatch(/does not allow ties/);
    expect(validateRanking(tied, { ...rules, allowTies: true }).ordering).toEqual([["a", "b"], ["c"], ["d"]]);
    expect(message(() => validateRanking({ ranking: [["a", "b", "c", "d"]] }, { ...rules, allowTies: true }))).toMatch(/cannot rank/);
  });

  it("'cannot rank' needs a reason and no ranking", () => {
    expect(message(() => validateRanking({ ranking: [], notRankable: true }, rules))).toMatch(/Say why/);
    expect(message(() => validateRanking({ ranking: [["a"], ["b"], ["c"], ["d"]], notRankable: true, notRankableReason: "gibberish" }, rules))).toMatch(/takes no ranking/);
    expect(validateRanking({ ranking: [], notRankable: true, notRankableReason: " gibberish " }, rules)).toMatchObject({
      ordering: [],
      notRankable: true,
      notRankableReason: "gibberish",
    });
  });

  it("checks flags against the project's set and ratings against its Likert scale", () => {
    const ranking = [["a"], ["b"], ["c"], ["d"]];
    expect(validateRanking({ ranking, flags: { a: ["harmful", "harmful"] }, ratings: { b: 7 } }, rules)).toMatchObject({
      flags: { a: ["harmful"] },
      ratings: { b: 7 },
    });
    expect(message(() => validateRanking({ ranking, flags: { a: ["rude"] } }, rules))).toMatch(/'rude' is not one of/);
    expect(message(() => validateRanking({ ranking, flags: { z: ["harmful"] } }, rules))).toMatch(/not shown/);
    expect(message(() => validateRanking({ ranking, ratings: { a: 8 } }, rules))).toMatch(/from 1 to 7/);
    expect(message(() => validateRanking({ ranking, ratings: { a: 3 } }, { ...rules, likertScale: 0 }))).toMatch(/does not use ratings/);
  });

  it("a rationale is kept as one line, and required where the project asks for one", () => {
    const ranking = [["c"], ["a"], ["d"], ["b"]];
    expect(validateRanking({ ranking, rationale: "  c answers\nthe question " }, rules).rationale).toBe("c answers the question");
    expect(message(() => validateRanking({ ranking }, { ...rules, requireRationale: true }))).toMatch(/asks for a one-line reason/);
    expect(message(() => validateRanking({ ranking, rationale: "x".repeat(501) }, rules))).toMatch(/at most 500 characters/);
  });
});
