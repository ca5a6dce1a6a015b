// Shared RL math for the reward, PPO and DPO trainers: masked statistics, whitening, log-probs and entropy from
// logits, GAE, KL estimators, first-EOS truncation and the small scalar helpers the losses need.
//
// Tensor functions are pure (no variables, no side effects) so callers can wrap them in tf.tidy or tf.variableGrads.
// GAE and truncation work on plain arrays: rollouts are read back to the CPU once per batch anyway, and a
// backwards scan is clearer as a loop than as tensor ops.
import * as tf from "@tensorflow/tfjs";
import type { KL_ESTIMATORS } from "../../server/services/run-kinds/ppo-config";
import { tokenLogprobs } from "../model/ops";

/** Mean of `x` over positions where `mask` is 1 (all axes, or one axis). Empty masks give 0, not NaN. */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const total = axis === undefined ? tf.sum(tf.mul(x, m)) : tf.sum(tf.mul(x, m), axis);
    const count = axis === undefined ? tf.sum(m) : tf.sum(m, axis);
    return tf.div(total, tf.maximum(count, 1e-8));
  });
}

/**
 * Masked variance over all positions. `unbiased` applies Bessel's correction (n/(n-1)), as TRL does for whitening,
 * so whitened advantages have sample std 1.
 */
export function maskedVar(x: tf.Tensor, mask: tf.Tensor, unbiased = true): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const mean = maskedMean(x, m);
    const variance = maskedMean(tf.square(tf.sub(x, mean)), m);
    if (!unbiased) return variance;
    const n = tf.sum(m);
    return tf.mul(variance, tf.div(n, tf.maximum(tf.sub(n, 1), 1)));
  });
}

/**
 * Normalises `x` to mean 0, std 1 over the masked positions. `shiftMean=false` keeps the mean (TRL whitens
 * rewards that way); masked-out positions come back as 0 so they never leak into sums.
 */
export function maskedWhiten(x: tf.Tensor, mask: tf.Tensor, shiftMean = true): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const mean = maskedMean(x, m);
    const variance = maskedVar(x, m);
    let whitened = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-8)));
    if (!shiftMean) whitened = tf.add(whitened, mean);
    return tf.mul(whitened, m);
  });
}

/**
 * Log-probability of each label under `logits` ([..., V] → [...]), for any leading shape: the rows go through
 * ops.tokenLogprobs, the one implementation (hand-written gradient, accurate for tiny probabilities), that SFT uses too.
 */
export function logprobsFromLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const vocab = logits.shape[logits.shape.length - 1]!;
    const rows = tf.reshape(logits, [-1, vocab]) as tf.Tensor2D;
    const targets = tf.reshape(tf.cast(labels, "int32"), [-1]) as tf.Tensor1D;
    return tf.reshape(tokenLogprobs(rows, targets), labels.shape);
  });
}

/** Entropy of the categorical distribution at each position: logsumexp(z) − Σ softmax(z)·z. */
export function entropyFromLogits(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const probs = tf.softmax(logits);
    return tf.sub(tf.squeeze(tf.logSumExp(logits, -1, true), [-1]), tf.sum(tf.mul(probs, logits), -1));
  });
}

/** log σ(x), computed stably as −softplus(−x). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}

/**
 * Per-token KL estimators of KL(π‖π_ref) from logr = log π − log π_ref on tokens sampled from π (Schulman's
 * "Approximating KL divergence"): k1 is unbiased but can be negative; k2 = ½·logr² and k3 = (r⁻¹ − 1) + logr are
 * always ≥ 0 and have lower variance.
 */
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

export function klEstimate(logprobs: tf.Tensor, refLogprobs: tf.Tensor, estimator: KlEstimator = "k1"): tf.Tensor {
  return tf.tidy(() => {
    const logr = tf.sub(logprobs, refLogprobs);
    if (estimator === "k1") return logr;
    if (estimator === "k2") return tf.mul(0.5, tf.square(logr));
    return tf.add(tf.sub(tf.exp(tf.neg(logr)), 1), logr);
  });
}

/** Same estimators on plain numbers, for per-token rewards built on the CPU. */
export function klEstimateScalar(logprob: number, refLogprob: number, estimator: KlEstimator = "k1"): number {
  const logr = logprob - refLogprob;
  if (estimator === "k1") return logr;
  if (estimator === "k2") return 0.5 * logr * logr;
  return Math.exp(-logr) - 1 + logr;
}

/**
 * Generalised advantage estimation over rows of per-step rewards and values. `mask[b][t]` marks the steps that
 * are actions of row b (one contiguous run); the value after a row's last action is 0 (the episode ends there).
 * Returns advantages and returns (= advantages + values), both 0 outside the mask.
 */
export function gae(
  rewards: number[][],
  values: number[][],
  mask: number[][],
  gamma: number,
  lambda: number,
): { advantages: number[][]; returns: number[][] } {
  const advantages = rewards.map((row) => row.map(() => 0));
  const returns = rewards.map((row) => row.map(() => 0));
  for (let b = 0; b < rewards.length; b++) {
    let nextValue = 0;
    let running = 0;
    for (let t = rewards[b]!.length - 1; t >= 0; t--) {
      if (!mask[b]![t]) continue;
      const delta = rewards[b]![t]! + gamma * nextValue - values[b]![t]!;
      running = delta + gamma * lambda * running;
      advantages[b]![t] = running;
      returns[b]![t] = running + values[b]![t]!;
      nextValue = values[b]![t]!;
    }
  }
  return { advantages, returns };
}

/**
 * Cuts a sampled response after its first EOS (keeping the EOS itself, which is a real action that ended the
 * episode). `endedWithEos` is false when the sampler ran out of tokens: PPO then applies the no-EOS penalty.
 */
export function truncateAtFirstEos(tokens: readonly number[], eosId: number): { tokens: number[]; endedWithEos: boolean } {
  const at = tokens.indexOf(eosId);
  if (at === -1) return { tokens: [...tokens], endedWithEos: false };
  return { tokens: tokens.slice(0, at + 1), endedWithEos: true };
}

/** 1 − Var(returns − values)/Var(returns) over masked steps: 1 is a perfect critic, ≤ 0 is no better than a constant. */
export function explainedVariance(values: number[], returns: number[]): number {
  const n = returns.length;
  if (n < 2) return 0;
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const variance = (a: number[]) => {
    const m = mean(a);
    return a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
  };
  const varReturns = variance(returns);
  if (varReturns < 1e-12) return 0;
  return 1 - variance(returns.map((r, i) => r - values[i]!)) / varReturns;
}

/** Mean and (population) standard deviation of a list of numbers; reports use them for judge scores. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: 0, std: 0 };
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
  return { mean, std };
}

/** Sample standard deviation (Bessel's n − 1, as torch's .std()); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const { mean } = meanStd(xs);
  return Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1));
}

/** Splits rewards laid out group by group (K consecutive completions of one prompt) into their groups. */
function groups(rewards: readonly number[], k: number): number[][] {
  if (k < 2 || rewards.length % k !== 0) throw new Error(`${rewards.length} rewards do not form groups of ${k}`);
  return Array.from({ length: rewards.length / k }, (_, g) => rewards.slice(g * k, (g + 1) * k));
}

/**
 * GRPO's advantages (TRL): r − mean of the prompt's group, divided by (std + 1e-4) where `scale` is "group" (the
 * group's std) or "batch" (the whole batch's), and not divided for "none" (Dr. GRPO). Stds are sample stds.
 */
export function grpoAdvantages(rewards: readonly number[], k: number, scale: "group" | "batch" | "none"): number[] {
  const batchStd = sampleStd(rewards);
  return groups(rewards, k).flatMap((g) => {
    const { mean } = meanStd(g);
    const std = scale === "group" ? sampleStd(g) : batchStd;
    return g.map((r) => (scale === "none" ? r - mean : (r - mean) / (std + 1e-4)));
  });
}

/**
 * RLOO's advantages (TRL): r − the mean of the other K−1 rewards of the prompt's group; `normalize` then whitens them
 * over the batch (mean 0, sample std 1, + 1e-4).
 */
export function rlooAdvantages(rewards: readonly number[], k: number, normalize: boolean): number[] {
  const adv = groups(rewards, k).flatMap((g) => {
    const sum = g.reduce((s, v) => s + v, 0);
    return g.map((r) => r - (sum - r) / (k - 1));
  });
  if (!normalize) return adv;
  const { mean } = meanStd(adv);
  const std = sampleStd(adv);
  return adv.map((a) => (a - mean) / (std + 1e-4));
}

/** Splits a step's items into micro-batches of at most `size` (gradient accumulation); never an empty one. */
export function microBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Each part's share of the whole (counts / total), or equal shares when the total is 0: the weights that make a
 * mean over micro-batches equal the mean over the batch they split (by tokens for token means, by rows for row means).
 */
export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 1 / counts.length));
}
