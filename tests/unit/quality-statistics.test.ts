// Label-quality arithmetic against tables worked out by hand: Krippendorff's α (ordinal), agreement with the
// leave-one-out consensus, gold accuracy, Wilson intervals, consensus rankings with ties, and the reliability weight.
import { describe, expect, it } from "vitest";
import { consensusRanking, pairwiseAgreement } from "../../server/services/agreement";
import { countRatings, itemFigures } from "../../server/services/item-figures";
import { mulberry32 } from "../../server/services/random";
import { agreementWith, goldAgreement, groupPositions, krippendorffAlphaOrdinal, reliabilityWeight, wilsonInterval } from "../../server/services/reliability";

describe("Krippendorff's alpha, ordinal metric", () => {
  it("two values: u1 = [1,1], u2 = [2,2], u3 = [1,2] gives 1 − 5·18/162 = 4/9", () => {
    // o11 = 2, o22 = 2, o12 = o21 = 1; n1 = n2 = 3, n = 6; δ²12 = (6 − 3)² = 9.
    // Σ o δ² = 2·9 = 18; Σ n_c n_k δ² = 2·3·3·9 = 162; α = 1 − (n − 1)·18/162.
    expect(krippendorffAlphaOrdinal([[1, 1], [2, 2], [1, 2]])).toBeCloseTo(4 / 9, 12);
  });

  it("three values: u1 = [1,2], u2 = [1,3] gives 1 − 3·17/36 (the ordinal metric weighs 1–3 above 1–2)", () => {
    // n1 = 2, n2 = 1, n3 = 1, n = 4. δ²12 = (3 − 1.5)² = 2.25; δ²13 = (4 − 1.5)² = 6.25; δ²23 = (2 − 1)² = 1.
    // Σ o δ² = 2·(2.25 + 6.25) = 17; Σ n n δ² = 2·(2·1·2.25 + 2·1·6.25 + 1·1·1) = 36.
    expect(krippendorffAlphaOrdinal([[1, 2], [1, 3]])).toBeCloseTo(1 - (3 * 17) / 36, 12);
  });

  it("Krippendorff's own 4-coder, 12-unit example with missing values: ordinal α = 0.815", () => {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the table of section C (values 1–5).
    const table = [
      [1, 1, null, 1],
      [2, 2, 3, 2],
      [3, 3, 3, 3],
      [3, 3, 3, 3],
      [2, 2, 2, 2],
      [1, 2, 3, 4],
      [4, 4, 4, 4],
      [1, 1, 2, 1],
      [2, 2, 2, 2],
      [null, 5, 5, 5],
      [null, null, 1, 1],
      [null, 3, null, null],
    ];
    const units = table.map((u) => u.filter((v): v is number => v !== null));
    expect(krippendorffAlphaOrdinal(units)).toBeCloseTo(0.815, 3);
  });

  it("perfect agreement is 1; no pairable unit, or one value everywhere, has no α", () => {
    expect(krippendorffAlphaOrdinal([[1, 1], [2, 2], [3, 3]])).toBe(1);
    expect(krippendorffAlphaOrdinal([[1], [2]])).toBeNull();
    expect(krippendorffAlphaOrdinal([[1, 1], [1, 1]])).toBeNull();
  });

  it("a unit's value is its group's 1-based position: tied completions share it", () => {
    expect([...groupPositions([["a"], ["b", "c"], ["d"]])]).toEqual([["a", 1], ["b", 2], ["c", 2], ["d", 3]]);
  });
});

describe("agreement with the leave-one-out consensus", () => {
  const abc = [["a"], ["b"], ["c"]];
  const cba = [["c"], ["b"], ["a"]];

  it("A = B = a>b>c, C = c>b>a: C disagrees on all 3 pairs with A+B; A and B face a fully tied consensus (no pair)", () => {
    // Leaving C out: Borda means a 0, b 1, c 2 → a > b > c; C orders all three pairs the other way.
    expect(agreementWith(cba, consensusRanking([abc, abc]))).toEqual({ agree: 0, pairs: 3 });
    // Leaving A out: B and C give a (0+2)/2 = 1, b 1, c 1: one tied group, so no pair is compared.
    expect(consensusRanking([abc, cba])).toEqual([["a", "b", "c"]]);
    expect(agreementWith(abc, consensusRanking([abc, cba]))).toEqual({ agree: 0, pairs: 0 });
  });

  it("ties on either side are not compared: a>b=c against a>c>b compares a–b and a–c only", () => {
    expect(agreementWith([["a"], ["b", "c"]], [["a"], ["c"], ["b"]])).toEqual({ agree: 2, pairs: 2 });
  });

  it("pairwise agreement of one item: a>b>c twice and c>b>a once is 2/3 on every pair", () => {
    expect(pairwiseAgreement([abc, abc, cba])).toBeCloseTo(2 / 3, 12);
  });
});

describe("consensus rankings (Borda)", () => {
  it("mean group positions, ties kept where the combination ties", () => {
    // a: (0 + 0 + 1)/3, b: (1 + 2 + 0)/3 = 1, c: (2 + 1 + 2)/3, d: (3 + 3 + 3)/3; a 1/3 < b 1 < c 5/3 < d 3.
    const r1 = [["a"], ["b"], ["c"], ["d"]];
    const r2 = [["a"], ["c"], ["b"], ["d"]];
    const r3 = [["b"], ["a"], ["c"], ["d"]];
    expect(consensusRanking([r1, r2, r3])).toEqual([["a"], ["b"], ["c"], ["d"]]);
    // a>b and b>a cancel: a tie.
    expect(consensusRanking([[["a"], ["b"]], [["b"], ["a"]]])).toEqual([["a", "b"]]);
    // A tie counts as the group's mean 0-based rank: a=b>c gives a 0.5, b 0.5, c 2; c>a>b gives c 0, a 1, b 2.
    // Means: a 0.75, c 1, b 1.25.
    expect(consensusRanking([[["a", "b"], ["c"]], [["c"], ["a"], ["b"]]])).toEqual([["a"], ["c"], ["b"]]);
    // a=b>c and a=b>c with c>a=b: a (0.5 + 0.5 + 1.5)/3, b the same, c (2 + 2 + 0)/3: a and b stay tied.
    expect(consensusRanking([[["a", "b"], ["c"]], [["a", "b"], ["c"]], [["c"], ["a", "b"]]])).toEqual([["a", "b"], ["c"]]);
  });
});

describe("gold accuracy", () => {
  const gold = [["a"], ["b", "c"], ["d"]]; // gold pairs: a>b, a>c, a>d, b>d, c>d (b–c is a tie: no pair)

  it("counts every gold pair; the same order agrees, a reversal or a tie misses", () => {
    expect(goldAgreement([["a"], ["b"], ["c"], ["d"]], gold)).toEqual({ agree: 5, pairs: 5 });
    expect(goldAgreement([["d"], ["c"], ["b"], ["a"]], gold)).toEqual({ agree: 0, pairs: 5 });
    expect(goldAgreement([["a", "b"], ["c"], ["d"]], gold)).toEqual({ agree: 4, pairs: 5 });
  });

  it("pairs with a completion the annotator did not rank are not counted", () => {
    expect(goldAgreement([["b"], ["a"]], gold)).toEqual({ agree: 0, pairs: 1 });
  });
});

describe("Wilson score interval", () => {
  it("8 of 10 at 95%: [0.4902, 0.9433]", () => {
    const w = wilsonInterval(8, 10)!;
    expect(w.low).toBeCloseTo(0.49016, 4);
    expect(w.high).toBeCloseTo(0.94332, 4);
  });

  it("0 of 5 starts at 0; 5 of 5 ends at 1; no trials has no interval", () => {
    expect(wilsonInterval(0, 5)!.low).toBe(0);
    expect(wilsonInterval(0, 5)!.high).toBeCloseTo(0.43448, 4);
    expect(wilsonInterval(5, 5)!.high).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe("reliability weight", () => {
  it("Beta(3,1) posterior mean of pair accuracy: unchecked 0.75, 10/10 → 13/14, 0/10 → 3/14", () => {
    expect(reliabilityWeight({ agree: 0, pairs: 0 })).toBe(0.75);
    expect(reliabilityWeight({ agree: 10, pairs: 10 })).toBeCloseTo(13 / 14, 12);
    expect(reliabilityWeight({ agree: 0, pairs: 10 })).toBeCloseTo(3 / 14, 12);
  });
});

describe("the per-item fast path gives the reference figures", () => {
  it("on 300 random items with ties, itemFigures equals groupPositions, pairwiseAgreement and agreementWith(consensusRanking(others))", () => {
    const rand = mulberry32(7);
    const ids = ["a", "b", "c", "d", "e"];
    for (let n = 0; n < 300; n++) {
      const k = 2 + Math.floor(rand() * 4);
      const m = 2 + Math.floor(rand() * 4);
      const orderings = Array.from({ length: m }, () => {
        const shuffled = ids.slice(0, k).sort(() => rand() - 0.5);
        const groups: string[][] = [];
        for (const id of shuffled) if (groups.length && rand() < 0.3) groups[groups.length - 1]!.push(id);
        else groups.push([id]);
        return groups;
      });
      const fast = itemFigures(orderings);
      expect(fast.agreement === null).toBe(pairwiseAgreement(orderings) === null);
      if (fast.agreement !== null) expect(fast.agreement).toBeCloseTo(pairwiseAgreement(orderings)!, 12);
      const positions = orderings.map(groupPositions);
      expect(fast.units).toEqual(orderings[0]!.flat().map((id) => positions.map((p) => p.get(id))));
      orderings.forEach((o, i) => expect(fast.consensus[i]).toEqual(agreementWith(o, consensusRanking(orderings.filter((_, j) => j !== i)))));
    }
  });

  it("ratings are counted from the stored text as JSON.parse would read them", () => {
    const counts: Record<string, number> = {};
    countRatings('{"abc":7,"def":6,"ghi":7}', counts);
    countRatings("{}", counts);
    expect(counts).toEqual({ 7: 2, 6: 1 });
  });
});
