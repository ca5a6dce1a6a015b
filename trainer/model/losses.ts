// Shard losses for GradientWorkers (and anyone else): plain functions of (model, head, shard) -> tf.Scalar.
//
// API: meanTokenNll(model, head, {ids: Int32Array, targets: Int32Array, rows, seqLen}) — mean next-token negative
//      log-likelihood over every position (the benchmark's loss, and language-model pre-training's).

import * as tf from "@tensorflow/tfjs";
import type { GPT } from "./gpt.js";
import type { ScalarHead } from "./heads.js";
import { tokenLogprobs } from "./ops.js";

export interface TokenShard {
  ids: Int32Array; // [rows * seqLen] input ids
  targets: Int32Array; // [rows * seqLen] the token each position should predict
  rows: number;
  seqLen: number;
}

export function meanTokenNll(model: GPT, _head: ScalarHead | undefined, shard: unknown): tf.Scalar {
  const s = shard as TokenShard;
  return tf.tidy(() => {
    const n = s.rows * s.seqLen;
    const logits = model.forward(tf.tensor2d(s.ids, [s.rows, s.seqLen], "int32")).logits;
    return tf.neg(tf.mean(tokenLogprobs(tf.reshape(logits, [n, model.config.vocab_size]) as tf.Tensor2D, tf.tensor1d(s.targets, "int32")))) as tf.Scalar;
  });
}
