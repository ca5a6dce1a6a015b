// The three RLHF losses on plain tensors (no models): the reward model's ranking loss, PPO's clipped policy and
// value losses, and DPO's losses (sigmoid, IPO, hinge). Trainers feed them model outputs; tests feed them hand-made tensors.
import * as tf from "@tensorflow/tfjs";
import type { DpoLossType } from "../../server/services/run-kinds/dpo-config";
import { logSigmoid, maskedMean } from "./utils";

/** One ranking's pairs as indices into the batch's score vector, and C(K,2) for its K completions. */
export interface RankingPairs {
  pairs: Array<[winner: number, loser: number]>;
  /** C(K,2) for the K completions ranked; ties give no pair but still count in K, as in InstructGPT's 1/C(K,2). */
  pairCount: number;
}

/**
 * InstructGPT's ranking loss: −1/C(K,2) Σ log σ(r_w − r_l) per ranking, averaged over the rankings in the batch.
 * All pairs of one ranking live in one batch element, so a prompt with K completions is one gradient term, not
 * C(K,2) correlated ones (InstructGPT §3.5: fewer passes, less overfitting).
 */
export function rankingLoss(scores: tf.Tensor1D, rankings: readonly RankingPairs[]): { loss: tf.Scalar; accuracy: number; pairs: number } {
  const winners: number[] = [];
  const losers: number[] = [];
  const weights: number[] = [];
  const usable = rankings.filter((r) => r.pairs.length > 0);
  for (const r of usable) {
    for (const [w, l] of r.pairs) {
      winners.push(w);
      losers.push(l);
      weights.push(1 / (r.pairCount * usable.length));
    }
  }
  if (winners.length === 0) throw new Error("rankingLoss: the batch has no pairs (every ranking was a full tie)");
  return tf.tidy(() => {
    const margin = tf.sub(tf.gather(scores, winners), tf.gather(scores, losers));
    const loss = tf.neg(tf.sum(tf.mul(logSigmoid(margin), tf.tensor1d(weights)))) as tf.Scalar;
    const marginValues = Array.from(margin.dataSync());
    const correct = marginValues.reduce((n, m) => n + (m > 0 ? 1 : 0), 0);
    return { loss, accuracy: correct / winners.length, pairs: winners.length };
  });
}

/** PPO's clipped surrogate over masked action tokens, with the diagnostics TRL logs beside it. */
export function ppoPolicyLoss(
  newLogprobs: tf.Tensor,
  oldLogprobs: tf.Tensor,
  advantages: tf.Tensor,
  mask: tf.Tensor,
  clipRange: number,
): { loss: tf.Scalar; clipfrac: tf.Scalar; approxKl: tf.Scalar; ratioMean: tf.Scalar } {
  return tf.tidy(() => {
    const logRatio = tf.sub(newLogprobs, oldLogprobs);
    const ratio = tf.exp(logRatio);
    const unclipped = tf.mul(tf.neg(advantages), ratio);
    const clipped = tf.mul(tf.neg(advantages), tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
    const loss = maskedMean(tf.maximum(unclipped, clipped), mask) as tf.Scalar;
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), "float32"), mask) as tf.Scalar;
    // ½·E[logr²]: the k2 estimator of KL(π_old‖π), what TRL reports as approxkl.
    const approxKl = tf.mul(0.5, maskedMean(tf.square(logRatio), mask)) as tf.Scalar;
    const ratioMean = maskedMean(ratio, mask) as tf.Scalar;
    return { loss, clipfrac, approxKl, ratioMean };
  });
}

/**
 * PPO's clipped value loss: ½·max((V − R)², (V_clipped − R)²), where V_clipped stays within `clipRange` of the
 * rollout's value, so one minibatch cannot drag the critic far from the values the advantages were built on.
 */
export function ppoValueLoss(
  newValues: tf.Tensor,
  oldValues: tf.Tensor,
  returns: tf.Tensor,
  mask: tf.Tensor,
  clipRange: number,
): { loss: tf.Scalar; clipfrac: tf.Scalar } {
  return tf.tidy(() => {
    const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(newValues, oldValues), -clipRange, clipRange));
    const unclippedLoss = tf.square(tf.sub(newValues, returns));
    const clippedLoss = tf.square(tf.sub(clippedValues, returns));
    const loss = tf.mul(0.5, maskedMean(tf.maximum(unclippedLoss, clippedLoss), mask)) as tf.Scalar;
    const clipfrac = maskedMean(tf.cast(tf.greater(clippedLoss, unclippedLoss), "float32"), mask) as tf.Scalar;
    return { loss, clipfrac };
  });
}

/**
 * DPO's losses on sequence log-probs, with h = (π_c − π_r) − (ref_c − ref_r) (TRL's formulas):
 *   sigmoid: −log σ(β·h), or with `labelSmoothing` ε > 0 conservative DPO −(1−ε)·log σ(β·h) − ε·log σ(−β·h);
 *   ipo:     (h − 1/(2β))², IPO's regression of the margin to a fixed target (TRL feeds it per-token mean log-probs);
 *   hinge:   max(0, 1 − β·h), SLiC's hinge on the margin.
 * The implicit rewards β·(π − ref) give the margin and accuracy metrics.
 */
export function dpoLoss(
  policyChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  refChosen: tf.Tensor1D,
  refRejected: tf.Tensor1D,
  beta: number,
  labelSmoothing = 0,
  lossType: DpoLossType = "sigmoid",
): { loss: tf.Scalar; chosenRewards: tf.Tensor1D; rejectedRewards: tf.Tensor1D } {
  return tf.tidy(() => {
    const h = tf.sub(tf.sub(policyChosen, policyRejected), tf.sub(refChosen, refRejected));
    const logits = tf.mul(beta, h);
    let perPair: tf.Tensor;
    if (lossType === "ipo") perPair = tf.square(tf.sub(h, 1 / (2 * beta)));
    else if (lossType === "hinge") perPair = tf.relu(tf.sub(1, logits));
    else perPair = tf.add(tf.mul(-(1 - labelSmoothing), logSigmoid(logits)), tf.mul(-labelSmoothing, logSigmoid(tf.neg(logits))));
    const loss = tf.mean(perPair) as tf.Scalar;
    const chosenRewards = tf.mul(beta, tf.sub(policyChosen, refChosen)) as tf.Tensor1D;
    const rejectedRewards = tf.mul(beta, tf.sub(policyRejected, refRejected)) as tf.Tensor1D;
    return { loss, chosenRewards, rejectedRewards };
  });
}
