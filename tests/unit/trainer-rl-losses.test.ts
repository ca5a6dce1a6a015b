// The RM ranking loss, PPO's clipped losses and DPO's sigmoid loss on hand-made tensors, against hand computations.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { dpoLoss, ppoPolicyLoss, ppoValueLoss, rankingLoss } from "../../trainer/rl/losses";

const logSigmoid = (z: number) => -Math.log(1 + Math.exp(-z));

describe("reward-model ranking loss", () => {
  it("one strict ranking of K=3: −1/3 Σ log σ(r_w − r_l) over its 3 pairs", () => {
    // scores a=2, b=1, c=0, ranking a > b > c: pairs (a,b), (a,c), (b,c)
    const { loss, accuracy, pairs } = rankingLoss(tf.tensor1d([2, 1, 0]), [{ pairs: [[0, 1], [0, 2], [1, 2]], pairCount: 3 }]);
    const hand = -(logSigmoid(1) + logSigmoid(2) + logSigmoid(1)) / 3;
    expect(loss.dataSync()[0]).toBeCloseTo(hand, 5);
    expect(accuracy).toBe(1);
    expect(pairs).toBe(3);
  });
  it("a tie gives no pair but keeps 1/C(K,2); rankings are averaged over the batch", () => {
    // ranking 1: a > b > c; ranking 2 (another annotator): [c] > [a, b] → pairs (c,a), (c,b)
    const scores = tf.tensor1d([2, 1, 0]);
    const { loss, accuracy } = rankingLoss(scores, [
      { pairs: [[0, 1], [0, 2], [1, 2]], pairCount: 3 },
      { pairs: [[2, 0], [2, 1]], pairCount: 3 },
    ]);
    const first = -(logSigmoid(1) + logSigmoid(2) + logSigmoid(1)) / 3;
    const second = -(logSigmoid(-2) + logSigmoid(-1)) / 3;
    expect(loss.dataSync()[0]).toBeCloseTo((first + second) / 2, 5);
    expect(accuracy).toBeCloseTo(3 / 5, 6);
  });
  it("its gradient pushes the winner up and the loser down", () => {
    const g = tf.grad((s: tf.Tensor) => rankingLoss(s as tf.Tensor1D, [{ pairs: [[0, 1]], pairCount: 1 }]).loss)(tf.tensor1d([0, 0]));
    const [gw, gl] = Array.from(g.dataSync());
    expect(gw).toBeCloseTo(-0.5, 6);
    expect(gl).toBeCloseTo(0.5, 6);
  });
});

describe("PPO losses", () => {
  const mask = tf.tensor2d([[1, 1, 0]]);
  it("ratio is exactly 1 and nothing is clipped when new = old log-probs", () => {
    const lp = tf.tensor2d([[-1.3, -0.2, -5]]);
    const adv = tf.tensor2d([[1, -3, 100]]);
    const out = ppoPolicyLoss(lp, lp, adv, mask, 0.2);
    expect(out.ratioMean.dataSync()[0]).toBe(1);
    expect(out.clipfrac.dataSync()[0]).toBe(0);
    expect(out.approxKl.dataSync()[0]).toBe(0);
    expect(out.loss.dataSync()[0]).toBeCloseTo(1, 6); // −mean(1, −3)
  });
  it("clips a ratio of 1.5 to 1.2 for a positive advantage", () => {
    const out = ppoPolicyLoss(tf.tensor2d([[Math.log(1.5)]]), tf.tensor2d([[0]]), tf.tensor2d([[1]]), tf.tensor2d([[1]]), 0.2);
    expect(out.loss.dataSync()[0]).toBeCloseTo(-1.2, 5);
    expect(out.clipfrac.dataSync()[0]).toBe(1);
    expect(out.approxKl.dataSync()[0]).toBeCloseTo(0.5 * Math.log(1.5) ** 2, 6);
  });
  it("clipped value loss: V=2, V_old=1, R=3, clip 0.2 → ½·(1.2−3)² = 1.62", () => {
    const out = ppoValueLoss(tf.tensor1d([2]), tf.tensor1d([1]), tf.tensor1d([3]), tf.tensor1d([1]), 0.2);
    expect(out.loss.dataSync()[0]).toBeCloseTo(1.62, 5);
    expect(out.clipfrac.dataSync()[0]).toBe(1);
  });
});

describe("DPO sigmoid loss", () => {
  it("β 0.1: logits 0.1·((−1 − −3) − 0) = 0.2 → loss ln(1 + e^−0.2)", () => {
    const out = dpoLoss(tf.tensor1d([-1]), tf.tensor1d([-3]), tf.tensor1d([-2]), tf.tensor1d([-2]), 0.1);
    expect(out.loss.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-0.2)), 5);
    expect(out.chosenRewards.dataSync()[0]).toBeCloseTo(0.1, 6);
    expect(out.rejectedRewards.dataSync()[0]).toBeCloseTo(-0.1, 6);
  });
});

describe("DPO ipo and hinge losses (TRL's formulas)", () => {
  // Two pairs: h = (π_c − π_r) − (ref_c − ref_r) = (−1 − −3) − (−2 − −2) = 2 and (−2 − −1) − (−1 − −1) = −1.
  const args = [tf.tensor1d([-1, -2]), tf.tensor1d([-3, -1]), tf.tensor1d([-2, -1]), tf.tensor1d([-2, -1])] as const;
  it("ipo, β 0.1: mean of (h − 1/(2β))² = ((2 − 5)² + (−1 − 5)²)/2 = 22.5", () => {
    const out = dpoLoss(...args, 0.1, 0, "ipo");
    expect(out.loss.dataSync()[0]).toBeCloseTo(22.5, 4);
  });
  it("hinge, β 0.5: mean of max(0, 1 − β·h) = (max(0, 0) + max(0, 1.5))/2 = 0.75", () => {
    const out = dpoLoss(...args, 0.5, 0, "hinge");
    expect(out.loss.dataSync()[0]).toBeCloseTo(0.75, 5);
    expect(Array.from(out.chosenRewards.dataSync())).toEqual([0.5, -0.5]);
  });
  it("sigmoid stays the default", () => {
    const a = dpoLoss(...args, 0.1).loss.dataSync()[0]!;
    expect(a).toBeCloseTo((-logSigmoid(0.2) - logSigmoid(-0.1)) / 2, 5);
  });
});

describe("DPO loss_type config", () => {
  it("label smoothing with a non-sigmoid loss is a one-line error", async () => {
    const { parseRunConfig } = await import("../../server/services/run-kinds/index");
    expect(() => parseRunConfig("dpo", { loss_type: "hinge", label_smoothing: 0.1 })).toThrow(
      "dpo config: label_smoothing applies to the sigmoid loss only (conservative DPO); set it to 0 for ipo or hinge",
    );
    expect(parseRunConfig("dpo", { loss_type: "ipo" }).loss_type).toBe("ipo");
  });
});
