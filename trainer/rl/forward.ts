// Model-side helpers every RL trainer shares: padded batches as tensors, per-token log-probs of the response tokens,
// and a scalar head read at each row's last real token (the reward model's score, the critic's value).
import * as tf from "@tensorflow/tfjs";
import { collate, responsePositions, type Batch, type TokenizedExample } from "../data/collate";
import type { GPT } from "../model/gpt";
import type { ScalarHead } from "../model/heads";
import { gatherRows, tokenLogprobs } from "../model/ops";
import { entropyFromLogits, logprobsFromLogits } from "./utils";

/** A right-padded batch as tensors. Position t's label is token t+1; lossMask marks labels that are response tokens. */
export interface BatchTensors {
  batch: Batch;
  ids: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  labels: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  /** Index of each row's last real token (right padding: length − 1). */
  lastIndex: number[];
}

export function toBatchTensors(examples: readonly TokenizedExample[], padId: number): BatchTensors {
  const batch = collate(examples, { padId });
  const shape: [number, number] = [batch.batchSize, batch.seqLen];
  return {
    batch,
    ids: tf.tensor2d(batch.inputIds, shape, "int32"),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, "int32"),
    labels: tf.tensor2d(batch.labels, shape, "int32"),
    lossMask: tf.tensor2d(batch.lossMask, shape, "float32"),
    lastIndex: examples.map((e) => e.ids.length - 1),
  };
}

export function disposeBatchTensors(bt: BatchTensors): void {
  tf.dispose([bt.ids, bt.attentionMask, bt.labels, bt.lossMask]);
}

/**
 * Log-probs of each position's label under the model, with logits divided by `temperature` (PPO must score tokens
 * with the same temperature it sampled them at, or the ratio is off from the first step). Masked positions are 0.
 */
export function responseLogprobs(
  gpt: GPT,
  bt: BatchTensors,
  opts: { temperature?: number; withEntropy?: boolean } = {},
): { logprobs: tf.Tensor2D; hidden: tf.Tensor3D; entropy?: tf.Tensor2D } {
  const { logits, hidden } = gpt.forward(bt.ids, { attentionMask: bt.attentionMask });
  const scaled = opts.temperature && opts.temperature !== 1 ? tf.div(logits, opts.temperature) : logits;
  const logprobs = tf.mul(logprobsFromLogits(scaled, bt.labels), bt.lossMask) as tf.Tensor2D;
  const entropy = opts.withEntropy ? (entropyFromLogits(scaled) as tf.Tensor2D) : undefined;
  return { logprobs, hidden, entropy };
}

/**
 * Sum of response-token log-probs per row: DPO's sequence log-likelihood. `average` divides by the row's response
 * tokens (TRL does so for IPO, whose fixed margin target would otherwise depend on length).
 */
export function sequenceLogprobSums(gpt: GPT, bt: BatchTensors, opts: { average?: boolean } = {}): tf.Tensor1D {
  return tf.tidy(() => {
    const { batchSize: B, seqLen: T } = bt.batch;
    // Only response positions go through the vocabulary projection (gathered rows of the final hidden states), and
    // each row's log-probs are summed by a [B, R] 0/1 matMul: no [B·T, V] logits for prompt and padding tokens.
    const { positions, targets } = responsePositions(bt.batch);
    const rowOf = positions.map((i) => Math.floor(i / T));
    const counts = Array.from({ length: B }, (_, b) => rowOf.filter((r) => r === b).length);
    let sums: tf.Tensor1D;
    if (positions.length === 0) {
      sums = tf.mul(tf.sum(responseLogprobs(gpt, bt).logprobs, 1), 0) as tf.Tensor1D; // still a function of the weights
    } else {
      const hidden = tf.reshape(gpt.hiddenStates(bt.ids, { attentionMask: bt.attentionMask }), [B * T, gpt.config.n_embd]) as tf.Tensor2D;
      const lp = tokenLogprobs(gpt.lmHead(gatherRows(hidden, tf.tensor1d(positions, "int32"))), tf.tensor1d(targets, "int32"));
      const rows = tf.tensor2d(Float32Array.from({ length: B * positions.length }, (_, k) => (rowOf[k % positions.length] === Math.floor(k / positions.length) ? 1 : 0)), [B, positions.length]);
      sums = tf.reshape(tf.matMul(rows, tf.reshape(lp, [positions.length, 1])), [B]) as tf.Tensor1D;
    }
    return opts.average ? (tf.div(sums, tf.tensor1d(counts.map((c) => Math.max(c, 1)))) as tf.Tensor1D) : sums;
  });
}

/** Picks column lastIndex[b] of each row of a [B,T] tensor, as a one-hot product (differentiable, no gather grad). */
export function atLastToken(perPosition: tf.Tensor2D, lastIndex: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const T = perPosition.shape[1];
    // Cast rather than oneHot(..., "float32"): wasm ignores oneHot's dtype (see ops.tokenLogprobs).
    const pick = tf.cast(tf.oneHot(tf.tensor1d(lastIndex as number[], "int32"), T), "float32");
    return tf.sum(tf.mul(perPosition, pick), 1) as tf.Tensor1D;
  });
}

/** A scalar model's score of each row, read at the row's last real token (the RM's definition of a reward). */
export function lastTokenScores(gpt: GPT, head: ScalarHead, bt: BatchTensors): tf.Tensor1D {
  return tf.tidy(() => atLastToken(head.apply(gpt.hiddenStates(bt.ids, { attentionMask: bt.attentionMask })), bt.lastIndex));
}

/** Names what trains in one map, for Adam and grads: the backbone (its adapters alone with LoRA) and the head (`score.*`). */
export function namedParams(gpt: GPT, head?: ScalarHead, headPrefix = ""): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>(gpt.trainableParams());
  if (head) for (const [name, v] of head.params) out.set(headPrefix + name, v);
  return out;
}
