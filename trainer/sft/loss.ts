// The SFT loss: negative log-likelihood of response tokens only, averaged per token over the batch (prompt and
// padding positions carry no loss), and the per-example log-likelihoods used to compare policies on held-out data.
import * as tf from "@tensorflow/tfjs";
import { responsePositions, type Batch } from "../data/collate";
import type { GPT } from "../model/gpt";
import type { ReplicaModels } from "../model/gradient-workers";
import { balancedRanges, type ShardedBatch } from "../model/data-parallel";
import { gatherRows, tokenLogprobs } from "../model/ops";

/** log p(label | prefix) at every position of a batch, [B, T] (masked positions included; callers mask). */
export function batchTokenLogprobs(model: GPT, batch: Batch): tf.Tensor2D {
  return tf.tidy(() => {
    const { batchSize: B, seqLen: T } = batch;
    const ids = tf.tensor2d(batch.inputIds, [B, T], "int32");
    const mask = tf.tensor2d(batch.attentionMask, [B, T], "int32");
    const { logits } = model.forward(ids, { attentionMask: mask });
    const flat = tf.reshape(logits, [B * T, model.config.vocab_size]) as tf.Tensor2D;
    return tf.reshape(tokenLogprobs(flat, tf.tensor1d(batch.labels, "int32")), [B, T]) as tf.Tensor2D;
  });
}

/**
 * Mean NLL per response token: Σ mask·(−log p) / Σ mask. Only response positions go through the vocabulary
 * projection (gathered rows of the final hidden states), so prompt and padding tokens cost no [·, V] logits: at
 * GPT-2's 50,257-token vocabulary that is 200 KB per token the loss never reads. A batch with no response tokens
 * gives 0.
 */
export function sftLoss(model: GPT, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const { batchSize: B, seqLen: T } = batch;
    const { positions, targets } = responsePositions(batch);
    if (positions.length === 0) {
      // Still a function of the weights (0 times the log-probs), so a gradient step sees zeros, not an error.
      return tf.mul(tf.sum(batchTokenLogprobs(model, batch)), 0) as tf.Scalar;
    }
    const ids = tf.tensor2d(batch.inputIds, [B, T], "int32");
    const mask = tf.tensor2d(batch.attentionMask, [B, T], "int32");
    const hidden = tf.reshape(model.hiddenStates(ids, { attentionMask: mask }), [B * T, model.config.n_embd]) as tf.Tensor2D;
    const picked = gatherRows(hidden, tf.tensor1d(positions, "int32"));
    const lp = tokenLogprobs(model.lmHead(picked), tf.tensor1d(targets, "int32"));
    return tf.div(tf.neg(tf.sum(lp)), positions.length) as tf.Scalar;
  });
}

/** Summed response log-likelihood of each example in the batch (no gradients): [B] numbers. */
export async function responseLogLikelihoods(model: GPT, batch: Batch): Promise<number[]> {
  const sums = tf.tidy(() => {
    const lp = batchTokenLogprobs(model, batch);
    return tf.sum(tf.mul(lp, tf.tensor2d(batch.lossMask, [batch.batchSize, batch.seqLen], "float32")), 1);
  });
  const out = Array.from(await sums.data());
  sums.dispose();
  return out;
}

/** sftLoss as a data-parallel shard loss (trainer/model/gradient-workers.ts): the shard is a Batch of some rows. */
export function sftShardLoss(replicas: ReplicaModels[], shard: unknown): tf.Scalar {
  return sftLoss(replicas[0]!.gpt, shard as Batch);
}

/** Rows [a, b) of a right-padded batch, cut to its own longest row (padding columns would only cost compute). */
export function batchRows(batch: Batch, a: number, b: number): Batch {
  const T = batch.seqLen;
  let seqLen = 1;
  for (let r = a; r < b; r++) for (let t = T - 1; t >= seqLen; t--) if (batch.attentionMask[r * T + t] === 1) seqLen = t + 1;
  const take = <A extends Int32Array | Float32Array>(src: A): A => {
    const out = new (src.constructor as { new (n: number): A })((b - a) * seqLen);
    for (let r = a; r < b; r++) out.set(src.subarray(r * T, r * T + seqLen), (r - a) * seqLen);
    return out;
  };
  const lossMask = take(batch.lossMask);
  return { batchSize: b - a, seqLen, inputIds: take(batch.inputIds), attentionMask: take(batch.attentionMask), labels: take(batch.labels), lossMask, responseTokens: lossMask.reduce((n, m) => n + m, 0) };
}

/**
 * Splits an SFT micro-batch over `parts` compute threads: contiguous rows of about equal token counts, each shard
 * weighted by its share of the response tokens, so the weighted sum of shard losses (a mean per token each) is the
 * batch's mean per token. One row, or no response token at all, stays one shard.
 */
export function sftShards(batch: Batch, parts: number): ShardedBatch {
  if (parts <= 1 || batch.batchSize < 2 || batch.responseTokens === 0) return { shards: [batch], weights: [1] };
  const T = batch.seqLen;
  const lengths = Array.from({ length: batch.batchSize }, (_, r) => batch.attentionMask.subarray(r * T, (r + 1) * T).reduce((n, m) => n + m, 0));
  const shards = balancedRanges(lengths, parts).map(([a, b]) => batchRows(batch, a, b));
  return { shards, weights: shards.map((s) => s.responseTokens / batch.responseTokens) };
}
