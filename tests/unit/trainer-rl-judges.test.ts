// The proof's simulated annotators: a judge's ranking is exact without noise, ties group, and about the requested
// share of comparisons comes out flipped.
import { describe, expect, it } from "vitest";
import { conciseJudge, enthusiasticJudge, livelyJudge, noisyRanking } from "../bench/judges";
import { mulberry32 } from "../../server/services/random";

describe("proof judges", () => {
  it("score response text", () => {
    expect(conciseJudge.score("Go to bed early.")).toBe(-4);
    expect(enthusiasticJudge.score("Sure! Have a great day.")).toBe(2);
    expect(livelyJudge.score("Sure! Try tea, rest, and a walk.")).toBe(3);
    expect(enthusiasticJudge.score("Sure! Good luck! Enjoy!!!")).toBe(5);
  });
  it("rank best → worst without noise, with equal scores tied", () => {
    expect(noisyRanking([1, 3, 2, 3], 0, mulberry32(1))).toEqual([[1, 3], [2], [0]]);
  });
  it("flip roughly the requested share of pairs", () => {
    const random = mulberry32(2);
    let flipped = 0;
    let pairs = 0;
    for (let n = 0; n < 2000; n++) {
      const scores = [0, 1, 2, 3].map(() => random());
      const rank = new Map(noisyRanking(scores, 0.1, random).flatMap((g, r) => g.map((i) => [i, r] as const)));
      for (let a = 0; a < 4; a++)
        for (let b = a + 1; b < 4; b++) {
          pairs++;
          if (scores[a]! > scores[b]! !== rank.get(a)! < rank.get(b)!) flipped++;
        }
    }
    expect(flipped / pairs).toBeGreaterThan(0.05);
    expect(flipped / pairs).toBeLessThan(0.15);
  });
});
