// The shared RL math, each function checked on a hand-made tensor or trajectory against a hand computation.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  entropyFromLogits,
  explainedVariance,
  gae,
  klEstimate,
  klEstimateScalar,
  logprobsFromLogits,
  maskedMean,
  maskedVar,
  maskedWhiten,
  truncateAtFirstEos,
} from "../../trainer/rl/utils";
import { mulberry32, shuffledIndices } from "../../server/services/random";

const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]]);

describe("masked statistics", () => {
  it("masked mean counts only masked positions: (1+2+4)/3", () => {
    expect(maskedMean(x, mask).dataSync()[0]).toBeCloseTo(7 / 3, 6);
  });
  it("masked mean along an axis", () => {
    expect(Array.from(maskedMean(x, mask, 1).dataSync())).toEqual([1.5, 4]);
  });
  it("masked variance is unbiased by default: 14/9 · 3/2 = 7/3", () => {
    expect(maskedVar(x, mask).dataSync()[0]).toBeCloseTo(7 / 3, 5);
    expect(maskedVar(x, mask, false).dataSync()[0]).toBeCloseTo(14 / 9, 5);
  });
  it("whitening gives mean 0 / unbiased std 1 on masked positions and zeros elsewhere", () => {
    const w = maskedWhiten(x, mask).arraySync() as number[][];
    const sd = Math.sqrt(7 / 3);
    expect(w[0]![0]).toBeCloseTo((1 - 7 / 3) / sd, 4);
    expect(w[1]![0]).toBeCloseTo((4 - 7 / 3) / sd, 4);
    expect(w[0]![2]).toBe(0);
    expect(w[1]![2]).toBe(0);
  });
  it("whitening without mean shift keeps the mean", () => {
    const w = maskedWhiten(x, mask, false);
    expect(maskedMean(w, mask).dataSync()[0]).toBeCloseTo(7 / 3, 4);
  });
});

describe("log-probs and entropy from logits", () => {
  const logits = tf.tensor3d([[[Math.log(1), Math.log(2), Math.log(3)], [0, 0, 0]]]);
  it("gathers the label's log-softmax: p = [1/6, 2/6, 3/6]", () => {
    const lp = logprobsFromLogits(logits, tf.tensor2d([[2, 0]], undefined, "int32")).arraySync() as number[][];
    expect(lp[0]![0]).toBeCloseTo(Math.log(0.5), 5);
    expect(lp[0]![1]).toBeCloseTo(Math.log(1 / 3), 5);
  });
  it("entropy matches −Σ p log p", () => {
    const h = entropyFromLogits(logits).arraySync() as number[][];
    const p = [1 / 6, 2 / 6, 3 / 6];
    expect(h[0]![0]).toBeCloseTo(-p.reduce((s, q) => s + q * Math.log(q), 0), 5);
    expect(h[0]![1]).toBeCloseTo(Math.log(3), 5);
  });
});

describe("KL estimators", () => {
  it("k1, k2, k3 on log π = −1, log π_ref = −2", () => {
    const [k1, k2, k3] = (["k1", "k2", "k3"] as const).map((k) => klEstimate(tf.scalar(-1), tf.scalar(-2), k).dataSync()[0]!);
    expect(k1).toBeCloseTo(1, 6);
    expect(k2).toBeCloseTo(0.5, 6);
    expect(k3).toBeCloseTo(Math.exp(-1), 6);
    expect(klEstimateScalar(-1, -2, "k3")).toBeCloseTo(Math.exp(-1), 6);
  });
});

describe("GAE", () => {
  it("matches a hand computation on a 3-action trajectory (γ 1, λ 0.95), ignoring masked steps", () => {
    // Step 0 is a prompt position and step 4 padding: neither is an action.
    const rewards = [[9, 0, 0, 1, 9]];
    const values = [[9, 0.5, 0.6, 0.7, 9]];
    const m = [[0, 1, 1, 1, 0]];
    const { advantages, returns } = gae(rewards, values, m, 1, 0.95);
    // δ2 = 1 − 0.7 = 0.3; δ1 = 0.7 − 0.6 = 0.1; δ0 = 0.6 − 0.5 = 0.1
    // A2 = 0.3; A1 = 0.1 + 0.95·0.3 = 0.385; A0 = 0.1 + 0.95·0.385 = 0.46575
    expect(advantages[0]![3]).toBeCloseTo(0.3, 10);
    expect(advantages[0]![2]).toBeCloseTo(0.385, 10);
    expect(advantages[0]![1]).toBeCloseTo(0.46575, 10);
    expect(returns[0]!.slice(1, 4).map((r) => +r.toFixed(5))).toEqual([0.96575, 0.985, 1]);
    expect(advantages[0]![0]).toBe(0);
    expect(advantages[0]![4]).toBe(0);
  });
  it("γ < 1 discounts the bootstrap", () => {
    const { advantages } = gae([[0, 1]], [[0, 0]], [[1, 1]], 0.5, 1);
    expect(advantages[0]).toEqual([0.5, 1]);
  });
});

describe("first-EOS truncation and helpers", () => {
  it("keeps tokens up to and including the first EOS", () => {
    expect(truncateAtFirstEos([5, 6, 0, 7, 0], 0)).toEqual({ tokens: [5, 6, 0], endedWithEos: true });
    expect(truncateAtFirstEos([5, 6], 0)).toEqual({ tokens: [5, 6], endedWithEos: false });
  });
  it("explained variance is 1 for a perfect critic and 0 for a constant one", () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBeCloseTo(1, 10);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0, 10);
  });
  it("seeded shuffles are reproducible permutations", () => {
    const a = shuffledIndices(10, mulberry32(3));
    expect(a).toEqual(shuffledIndices(10, mulberry32(3)));
    expect([...a].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("on the wasm backend", () => {
  it("log-probs gather the right entries (wasm ignores oneHot's dtype; the cast must stay)", async () => {
    const { initBackend } = await import("../../trainer/backend");
    await initBackend("wasm");
    const logits = tf.tensor3d([[[Math.log(1), Math.log(2), Math.log(3)]]]);
    const lp = logprobsFromLogits(logits, tf.tensor2d([[2]], undefined, "int32"));
    expect(lp.dataSync()[0]).toBeCloseTo(Math.log(0.5), 5);
    await tf.setBackend("cpu");
  });
});

describe("RM and DPO truncation keeps the end", () => {
  it("cuts the prompt from the left, so the response and its EOS survive", async () => {
    const { truncateKeepingEnd } = await import("../../trainer/data/collate");
    const ex = { ids: [1, 2, 3, 4, 5, 9], responseMask: [0, 0, 0, 1, 1, 1] };
    expect(truncateKeepingEnd(ex, 4)).toEqual({ ids: [3, 4, 5, 9], responseMask: [0, 1, 1, 1] });
    expect(truncateKeepingEnd(ex, 6)).toBe(ex);
    // A response longer than the budget loses its start, never its last token.
    expect(truncateKeepingEnd(ex, 2)).toEqual({ ids: [5, 9], responseMask: [1, 1] });
  });
});
