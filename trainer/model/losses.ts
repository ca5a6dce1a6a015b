// Shard losses for GradientWorkers (and anyone else): plain functions of (replicas, shard, out) -> tf.Scalar.
//
// API: meanTokenNll([{gpt}], {ids: Int32Array, targets: Int32Array, rows, seqLen}) — mean next-token negative
//      log-likelihood over every position (language-model pre-training's loss).

import * as tf from "@tensorflow/tfjs";
import type { ReplicaModels } from "./gradient-workers.js";
import { tokenLogprobs } from "./ops.js";

export interface TokenShard {
  ids: Int32Array; // [rows * seqLen] input ids
  targets: Int32Array; // [rows * seqLen] the token each position should predict
  rows: number;
  seqLen: number;
}

export function meanTokenNll(replicas: ReplicaModels[], shard: unknown): tf.Scalar {
  const s = shard as TokenShard;
  const model = replicas[0]!.gpt;
  return tf.tidy(() => {
    const n = s.rows * s.seqLen;
    const logits = model.forward(tf.tensor2d(s.ids, [s.rows, s.seqLen], "int32")).logits;
    return tf.neg(tf.mean(tokenLogprobs(tf.reshape(logits, [n, model.config.vocab_size]) as tf.Tensor2D, tf.tensor1d(s.targets, "int32")))) as tf.Scalar;
  });
}
