// Long-run memory check for the benchmark output: tf.memory().numTensors across 1,000 training steps (model + Adam +
// clipping, in-process) and across 1,000+ generated tokens. A leak of even one tensor per step shows up here.
//
// API: runMemoryCheck({steps = 1000, tokens = 1000, backend = 'wasm'}) -> {train: {...}, generate: {...}, flat}

import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import { GPT } from "../model/gpt.js";
import { Adam, clipByGlobalNorm, computeGrads } from "../model/adam.js";
import { tokenLogprobs } from "../model/ops.js";
import { generate } from "../generate/index.js";
import { getTokenizer } from "../tokenizer/index.js";

export async function runMemoryCheck(opts: { steps?: number; tokens?: number; backend?: string } = {}) {
  await initBackend(opts.backend ?? "wasm");
  const steps = opts.steps ?? 1000;
  const tokens = opts.tokens ?? 1000;
  const tok = getTokenizer("byte");
  // Small on purpose: the point is bookkeeping over many steps, not speed.
  const model = new GPT({ vocab_size: tok.vocabSize, n_positions: 32, n_embd: 32, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 0 });
  const adam = new Adam(model.params, { lr: 1e-3, eps: 1e-5, weightDecay: 0.01 });
  const B = 2;
  const T = 16;
  const ids = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i * 7) % 256), [B, T], "int32");
  const targets = tf.tensor1d(Array.from({ length: B * T }, (_, i) => (i * 11) % 256), "int32");
  const lossFn = () => tf.tidy(() => tf.neg(tf.mean(tokenLogprobs(tf.reshape(model.forward(ids).logits, [B * T, tok.vocabSize]) as tf.Tensor2D, targets))) as tf.Scalar);
  const step = () => {
    const { loss, grads } = computeGrads(lossFn, model.params);
    const clipped = clipByGlobalNorm(grads, 1);
    adam.step(clipped.grads);
    tf.dispose([loss, clipped.norm, ...grads.values(), ...clipped.grads.values()]);
  };
  step();
  const trainBefore = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) step();
  const trainAfter = tf.memory().numTensors;

  // One warm-up call builds the model's cached wteᵀ (one tensor, kept while wte is unchanged).
  await generate(model, tok, [[72]], { maxNewTokens: 2, stopAtEos: false, seed: 0 });
  const genBefore = tf.memory().numTensors;
  let produced = 0;
  for (let seed = 0; produced < tokens; seed++) {
    const r = await generate(model, tok, [[72, 105], [87]], { maxNewTokens: 30, stopAtEos: false, seed });
    produced += r.tokens.reduce((s, t) => s + t.length, 0);
  }
  const genAfter = tf.memory().numTensors;
  tf.dispose([ids, targets]);
  adam.dispose();
  model.dispose();
  return {
    train: { steps, numTensors_before: trainBefore, numTensors_after: trainAfter },
    generate: { tokens: produced, numTensors_before: genBefore, numTensors_after: genAfter },
    flat: trainBefore === trainAfter && genBefore === genAfter,
  };
}
