// Data batching for SFT: response-only loss masks on a hand-made batch, truncation, seeded shuffling, length grouping.
import { describe, expect, it } from "vitest";
import { collate, truncateExample } from "../../trainer/data/collate";
import { batchesPerEpoch, epochBatches, holdOut } from "../../trainer/data/loader";
import { mulberry32, shuffled } from "../../server/services/random";

const PAD = 99;

describe("collate", () => {
  it("right-pads, shifts labels by one and masks everything but response targets", () => {
    // prompt [1,2], response [3,4]; prompt [5], response [6,7,8]
    const batch = collate(
      [
        { ids: [1, 2, 3, 4], responseMask: [0, 0, 1, 1] },
        { ids: [5, 6, 7, 8, 9], responseMask: [0, 1, 1, 1, 1] },
      ],
      { padId: PAD },
    );
    expect(batch.seqLen).toBe(5);
    expect(Array.from(batch.inputIds)).toEqual([1, 2, 3, 4, PAD, 5, 6, 7, 8, 9]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(batch.labels)).toEqual([2, 3, 4, PAD, PAD, 6, 7, 8, 9, PAD]);
    // Position t scores label t+1: only labels that are response tokens count; the prompt's own tokens never do.
    expect(Array.from(batch.lossMask)).toEqual([0, 1, 1, 0, 0, 1, 1, 1, 1, 0]);
    expect(batch.responseTokens).toBe(6);
  });

  it("rounds the padded length up when asked", () => {
    expect(collate([{ ids: [1, 2, 3], responseMask: [0, 1, 1] }], { padId: 0, padToMultipleOf: 8 }).seqLen).toBe(8);
  });

  it("truncates from the right and drops examples whose response is cut away", () => {
    expect(truncateExample({ ids: [1, 2, 3, 4], responseMask: [0, 0, 1, 1] }, 3)).toEqual({ ids: [1, 2, 3], responseMask: [0, 0, 1] });
    expect(truncateExample({ ids: [1, 2, 3, 4], responseMask: [0, 0, 1, 1] }, 2)).toBeNull();
    expect(() => truncateExample({ ids: [1, 2], responseMask: [0] }, 5)).toThrow(/2 ids but 1 mask/);
  });
});

describe("seeded iteration", () => {
  const examples = Array.from({ length: 23 }, (_, i) => ({ ids: Array.from({ length: 2 + (i % 7) }, () => i), responseMask: Array.from({ length: 2 + (i % 7) }, () => 1) }));
  const firstIds = (seed: number, epoch: number, groupByLength = false) =>
    [...epochBatches(examples, epoch, { batchSize: 4, padId: 0, seed, groupByLength })].map((b) => b.inputIds[0]);

  it("gives the same order for the same seed and epoch, another for another epoch", () => {
    expect(firstIds(1, 0)).toEqual(firstIds(1, 0));
    expect(firstIds(1, 1)).not.toEqual(firstIds(1, 0));
    expect(shuffled([1, 2, 3, 4, 5], mulberry32(3))).toEqual(shuffled([1, 2, 3, 4, 5], mulberry32(3)));
  });

  it("covers every example once per epoch, also when grouping by length", () => {
    for (const group of [false, true]) {
      const batches = [...epochBatches(examples, 0, { batchSize: 4, padId: 0, seed: 5, groupByLength: group })];
      expect(batches.length).toBe(batchesPerEpoch(23, 4));
      const seen = batches.flatMap((b) => Array.from({ length: b.batchSize }, (_, r) => b.inputIds[r * b.seqLen]));
      expect(seen.sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
    }
  });

  it("grouping by length pads less", () => {
    const padding = (group: boolean) =>
      [...epochBatches(examples, 0, { batchSize: 4, padId: 0, seed: 5, groupByLength: group })].reduce((n, b) => n + b.batchSize * b.seqLen, 0);
    expect(padding(true)).toBeLessThan(padding(false));
  });

  it("holds out a deterministic slice, keeping at least one training example", () => {
    const a = holdOut(examples, 0.2, 9);
    expect(a.eval.length).toBe(5);
    expect(a.train.length).toBe(18);
    expect(holdOut(examples, 0.2, 9)).toEqual(a);
    expect(holdOut(examples.slice(0, 2), 0.9, 1).train.length).toBe(1);
    expect(holdOut(examples.slice(0, 1), 0.5, 1).eval).toEqual([]);
  });
});
