// Teacher-forced next-token log-probabilities from a GPT, differentiable: the quantity SFT, PPO and DPO all need.
//
// API: nextTokenLogprobs(model, ids int32 [B,T], attentionMask? [B,T]) -> tf.Tensor2D [B, T-1]
//        out[b, i] = log p(ids[b, i+1] | ids[b, ≤i]); positions whose target is padding hold meaningless values,
//        so callers multiply by the mask (shifted by one) before summing.

import * as tf from "@tensorflow/tfjs";
import type { GPT } from "./gpt.js";
import { tokenLogprobs } from "./ops.js";

export function nextTokenLogprobs(model: GPT, ids: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = ids.shape;
    const D = model.config.n_embd;
    const hidden = model.hiddenStates(ids, { attentionMask });
    // Only the first T-1 positions predict a token inside the sequence: skip the vocab projection of the last.
    const h = tf.reshape(tf.slice(hidden, [0, 0, 0], [B, T - 1, D]), [B * (T - 1), D]) as tf.Tensor2D;
    const logits = model.lmHead(h);
    const targets = tf.reshape(tf.slice(tf.cast(ids, "int32"), [0, 1], [B, T - 1]), [B * (T - 1)]) as tf.Tensor1D;
    return tf.reshape(tokenLogprobs(logits, targets), [B, T - 1]) as tf.Tensor2D;
  });
}
