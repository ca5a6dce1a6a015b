// Creating a tf.Variable without leaving its initial tensor behind.
//
// API: ownedVariable(initial, trainable) -> tf.Variable
// tf.variable(t) shares t's data but never disposes t itself, so `tf.variable(tf.zeros(...))` leaks one tensor per
// variable (visible as tf.memory().numTensors staying up after dispose()). This disposes the initial tensor.

import * as tf from "@tensorflow/tfjs";

export function ownedVariable(initial: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(initial, trainable);
  initial.dispose();
  return v;
}
