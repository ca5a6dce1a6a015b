// The proof's simulated annotators: a judge's ranking is exact without noise, ties group, and about the requested
// share of comparisons comes out flipped.
import { describe, expect, it } from "vitest";
import { bandJudge, conciseJudge, foodJudge, JUDGES, listJudge, livelyJudge, noisyRanking, openerJudge, personalJudge, politeJudge, vowelsJudge } from "../bench/judges";
import { mulberry32 } from "../../server/services/random";

describe("proof judges", () => {
  it("score response text", () => {
    expect(conciseJudge.score("Go to bed early.")).toBe(-4);
    expect(livelyJudge.score("Sure! Try tea, rest, and a walk.")).toBe(3);
    expect(vowelsJudge.score("aab")).toBeCloseTo(66.67, 1);
    expect(bandJudge.score("one two three")).toBe(-23);
    expect(bandJudge.score(Array(30).fill("w").join(" "))).toBe(0);
    expect(bandJudge.score(Array(37).fill("w").join(" "))).toBe(-3);
    expect(listJudge.score("Here are a few ideas: tea, rest, and a walk. Enjoy!")).toBe(4);
    expect(listJudge.score("Drink tea.")).toBe(0);
    expect(personalJudge.score("You can do it, your way.")).toBe(2);
    expect(openerJudge.score("Sure! Drink tea.")).toBe(2);
    expect(openerJudge.score("Drink tea. Sure!")).toBe(0);
    expect(politeJudge.score("Hope this helps! Good luck!")).toBe(2);
    expect(foodJudge.score("Eat fruit and drink tea.")).toBe(3);
  });
  it("cover at least eight kinds of preference", () => {
    expect(Object.keys(JUDGES).length).toBeGreaterThanOrEqual(8);
  });
  it("never score above their stated best", () => {
    const texts = ["Sure! Here are a few ideas: tea, rest, soup, rice, bread and a walk. You, you, you and your friends!", "a e i o u", "", "Please help, thank you, hope, glad, enjoy!"];
    for (const judge of Object.values(JUDGES)) if (judge.best !== undefined) for (const t of texts) expect(judge.score(t)).toBeLessThanOrEqual(judge.best);
    expect(vowelsJudge.score("a e i o u")).toBe(vowelsJudge.best);
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
