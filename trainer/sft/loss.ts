// The SFT loss: negative log-likelihood of response tokens only, averaged per token over the batch (prompt and
// padding positions carry no loss), and the per-example log-likelihoods used to compare policies on held-out data.
import * as tf from "@tensorflow/tfjs";
import { responsePositions, type Batch } from "../data/collate";
import type { GPT } from "../model/gpt";
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
