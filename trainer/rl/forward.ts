// Model-side helpers every RL trainer shares: padded batches as tensors, per-token log-probs of the response tokens,
// and a scalar head read at each row's last real token (the reward model's score, the critic's value).
import * as tf from "@tensorflow/tfjs";
import { collate, responsePositions, type Batch, type TokenizedExample } from "../data/collate";
import type { GPT } from "../model/gpt";
import type { ScalarHead } from "../model/heads";
import { customOp, gatherRows, tokenLogprobs } from "../model/ops";
import { entropyFromLogits } from "./utils";

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

/** What responseLogprobs gives: per-position log-probs in the batch's [B,T] layout, the trunk, and the entropy. */
// A type, not an interface: tf.tidy accepts it as a TensorContainer.
export type ResponseLogprobs = {
  /** log π(label) at response positions (lossMask = 1), 0 elsewhere. */
  logprobs: tf.Tensor2D;
  /** Final hidden states [B,T,D], for a value head on the policy's trunk. */
  hidden: tf.Tensor3D;
  /** Mean entropy over the response positions (0 when there are none); only with `entropy` set. */
  entropy?: tf.Scalar;
};

/**
 * Log-probs of each response position's label under the model, with logits divided by `temperature` (PPO must score
 * tokens with the same temperature it sampled them at, or the ratio is off from the first step). Only response
 * positions go through the vocabulary projection (TRL's selective log-softmax): their hidden rows are gathered, and
 * the [R] log-probs are scattered back into the [B,T] layout the losses read, with 0 at prompt and padding positions.
 *
 * `entropy`: "metric" computes it from the same logits with no gradient (a custom op's forward pass is not recorded
 * on the tape, so its softmax is freed at once); "differentiable" keeps it in the graph, for an entropy bonus.
 */
export function responseLogprobs(gpt: GPT, bt: BatchTensors, opts: { temperature?: number; entropy?: "metric" | "differentiable" } = {}): ResponseLogprobs {
  return tf.tidy(() => {
    const { batchSize: B, seqLen: T } = bt.batch;
    const { positions, targets } = responsePositions(bt.batch);
    // With no response token at all one row is still scored, times nothing, so the result stays a function of the
    // weights (variableGrads refuses a loss that does not depend on them).
    const scored = positions.length ? positions : [0];
    const scoredTargets = positions.length ? targets : [bt.batch.labels[0]!];
    const hidden = gpt.hiddenStates(bt.ids, { attentionMask: bt.attentionMask });
    const rows = gatherRows(tf.reshape(hidden, [B * T, gpt.config.n_embd]) as tf.Tensor2D, tf.tensor1d(scored, "int32"));
    const logits = gpt.lmHead(rows);
    const scaled = opts.temperature && opts.temperature !== 1 ? (tf.div(logits, opts.temperature) as tf.Tensor2D) : logits;
    const lp = tokenLogprobs(scaled, tf.tensor1d(scoredTargets, "int32"));
    // Scatter [R] → [B·T] as a gather from [lp; 0]: position i reads its response index, or the trailing zero.
    const slot = new Int32Array(B * T).fill(scored.length);
    positions.forEach((pos, k) => (slot[pos] = k));
    const table = tf.reshape(tf.concat([lp, tf.zeros([1])]), [scored.length + 1, 1]) as tf.Tensor2D;
    const logprobs = tf.reshape(gatherRows(table, tf.tensor1d(slot, "int32")), [B, T]) as tf.Tensor2D;
    let entropy: tf.Scalar | undefined;
    if (opts.entropy) {
      const perRow = opts.entropy === "metric" ? entropyWithoutGradient(scaled) : entropyFromLogits(scaled);
      entropy = (positions.length ? tf.mean(perRow) : tf.mul(tf.sum(perRow), 0)) as tf.Scalar;
    }
    return { logprobs, hidden, entropy };
  });
}

/** Rows per slice of the entropy metric: about 2M floats (8 MB), so its temporaries stay small at any vocabulary. */
const ENTROPY_SLICE_VALUES = 1 << 21;

/**
 * Entropy of each row of 2-D logits, outside the gradient tape: the forward pass of a custom op is not recorded, so
 * nothing of it is kept for the backward pass, and it runs over slices of rows so its softmax and product exist for
 * a few rows at a time. Its gradient is zero (it never reaches a loss; TRL computes it under torch.no_grad()).
 * Measured on one forward+backward step at vocabulary 50257 with 256 response rows (a busy 2-core machine): no entropy
 * 301 MB peak, 1.2–2.0 s; this metric 301 MB, 1.1–1.4 s; the differentiated entropy 1270 MB, 3.9–5.2 s; the metric
 * over the whole [R,V] at once 404 MB, and with tf.slice and tf.logSumExp about 1 s more.
 */
const entropyWithoutGradient = customOp((logits: tf.Tensor) => {
  const [rows, vocab] = logits.shape as [number, number];
  const step = Math.max(1, Math.floor(ENTROPY_SLICE_VALUES / vocab));
  const parts: tf.Tensor[] = [];
  // H = log Σe^z − Σ p·z with log Σe^z = max z − log(max p) (as ops.tokenLogprobs): softmax is vectorised on wasm
  // where tf.exp and so tf.logSumExp are not.
  const entropyOf = (z: tf.Tensor) => {
    const p = tf.softmax(z);
    return tf.sub(tf.sub(tf.max(z, -1), tf.log(tf.max(p, -1))), tf.sum(tf.mul(p, z), -1));
  };
  // Rows are taken with gatherRows (a memcpy per row on wasm; tf.slice copies element by element, 6× slower).
  const rowsOf = (r: number) => gatherRows(logits as tf.Tensor2D, tf.range(r, Math.min(r + step, rows), 1, "int32") as tf.Tensor1D);
  if (rows <= step) return { value: entropyOf(logits), saved: [], gradFunc: () => tf.zeros([rows, vocab]) };
  for (let r = 0; r < rows; r += step) parts.push(tf.tidy(() => entropyOf(rowsOf(r))));
  return { value: tf.concat(parts), saved: [], gradFunc: () => tf.zeros([rows, vocab]) };
}) as (logits: tf.Tensor2D) => tf.Tensor1D;

/**
 * Sum of response-token log-probs per row: DPO's sequence log-likelihood. `average` divides by the row's response
 * tokens (TRL does so for IPO, whose fixed margin target would otherwise depend on length).
 */
export function sequenceLogprobSums(gpt: GPT, bt: BatchTensors, opts: { average?: boolean } = {}): tf.Tensor1D {
  return tf.tidy(() => {
    const sums = tf.sum(responseLogprobs(gpt, bt).logprobs, 1) as tf.Tensor1D;
    if (!opts.average) return sums;
    const { batchSize: B, seqLen: T, lossMask } = bt.batch;
    const counts = Array.from({ length: B }, (_, b) => lossMask.subarray(b * T, (b + 1) * T).reduce((n, m) => n + m, 0));
    return tf.div(sums, tf.tensor1d(counts.map((c) => Math.max(c, 1)))) as tf.Tensor1D;
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
