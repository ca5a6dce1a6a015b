// The RLHF losses on plain tensors (no models): the reward model's ranking loss, PPO's clipped policy and
// value losses, GRPO's and RLOO's clipped group losses, and DPO's losses (sigmoid, IPO, hinge). Trainers feed them
// model outputs; tests feed them hand-made tensors.
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

/** Clip diagnostics of a group trainer (TRL's clip_ratio/*): shares of ratios held by the lower or upper bound. */
export type ClipStats = { low: tf.Scalar; high: tf.Scalar; region: tf.Scalar };

function clipStats(ratio: tf.Tensor, advantages: tf.Tensor, mask: tf.Tensor, epsilon: number): ClipStats {
  const low = tf.logicalAnd(tf.less(ratio, 1 - epsilon), tf.less(advantages, 0));
  const high = tf.logicalAnd(tf.greater(ratio, 1 + epsilon), tf.greater(advantages, 0));
  const share = (b: tf.Tensor) => maskedMean(tf.cast(b, "float32"), mask) as tf.Scalar;
  return { low: share(low), high: share(high), region: share(tf.logicalOr(low, high)) };
}

/**
 * GRPO's loss (TRL): per token −min(ρ·A, clip(ρ, 1−ε, 1+ε)·A) + β·k3, where ρ = π/π_old, A is the sequence's
 * advantage and k3 = exp(ref − logπ) − (ref − logπ) − 1 the KL estimate to the reference. `lossType` says how tokens
 * become one number: grpo averages each sequence, then the sequences; dapo averages every token of the step;
 * dr_grpo divides the token sum by rows × max_completion_length.
 */
export function grpoLoss(
  logprobs: tf.Tensor2D,
  oldLogprobs: tf.Tensor2D,
  refLogprobs: tf.Tensor2D,
  advantages: tf.Tensor1D,
  mask: tf.Tensor2D,
  opts: { epsilon: number; beta: number; lossType: "grpo" | "dapo" | "dr_grpo"; maxCompletionLength: number },
): { loss: tf.Scalar; kl: tf.Scalar; clip: ClipStats; ratioMean: tf.Scalar } {
  return tf.tidy(() => {
    const adv = tf.expandDims(advantages, 1);
    const ratio = tf.exp(tf.sub(logprobs, oldLogprobs));
    const clipped = tf.clipByValue(ratio, 1 - opts.epsilon, 1 + opts.epsilon);
    let perToken = tf.neg(tf.minimum(tf.mul(ratio, adv), tf.mul(clipped, adv)));
    const d = tf.sub(refLogprobs, logprobs);
    const k3 = tf.sub(tf.sub(tf.exp(d), d), 1);
    if (opts.beta !== 0) perToken = tf.add(perToken, tf.mul(opts.beta, k3));
    const masked = tf.mul(perToken, mask);
    let loss: tf.Tensor;
    if (opts.lossType === "grpo") loss = tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1)));
    else if (opts.lossType === "dapo") loss = tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1));
    else loss = tf.div(tf.sum(masked), mask.shape[0] * opts.maxCompletionLength);
    const advB = tf.mul(adv, tf.onesLike(ratio));
    return { loss: loss as tf.Scalar, kl: maskedMean(k3, mask) as tf.Scalar, clip: clipStats(ratio, advB, mask, opts.epsilon), ratioMean: maskedMean(ratio, mask) as tf.Scalar };
  });
}

/**
 * RLOO's loss (TRL): the whole completion is one action, so the ratio is per sequence, ρ = exp(Σ logπ − Σ logπ_old),
 * and the loss is the mean over sequences of −min(ρ·A, clip(ρ, 1−ε, 1+ε)·A). The KL to the reference is already in
 * the reward, so it has no term here.
 */
export function rlooLoss(
  logprobs: tf.Tensor2D,
  oldSequenceLogprobs: tf.Tensor1D,
  advantages: tf.Tensor1D,
  mask: tf.Tensor2D,
  epsilon: number,
): { loss: tf.Scalar; clip: ClipStats; ratioMean: tf.Scalar } {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(tf.sum(tf.mul(logprobs, mask), 1), oldSequenceLogprobs));
    const clipped = tf.clipByValue(ratio, 1 - epsilon, 1 + epsilon);
    const loss = tf.mean(tf.neg(tf.minimum(tf.mul(ratio, advantages), tf.mul(clipped, advantages)))) as tf.Scalar;
    const ones = tf.onesLike(ratio);
    return { loss, clip: clipStats(ratio, advantages, ones, epsilon), ratioMean: tf.mean(ratio) as tf.Scalar };
  });
}
