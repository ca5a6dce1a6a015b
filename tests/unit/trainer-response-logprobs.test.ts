// Log-probs at response positions only (gathered hidden rows, no logits for prompt or padding) equal the dense
// computation over every position, in value and in gradient.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { computeGrads } from "../../trainer/model/adam.js";
import { GPT } from "../../trainer/model/gpt.js";
import { responseLogprobs, sequenceLogprobSums, toBatchTensors, disposeBatchTensors } from "../../trainer/rl/forward.js";

const cfg = { vocab_size: 40, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 };

describe("sequenceLogprobSums", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("matches the masked sum of every position's log-probs, and its gradient", () => {
    const model = new GPT(cfg, { seed: 3 });
    // Ragged rows: different prompt and response lengths, right padding, one row with a single response token.
    const examples = [
      { ids: [1, 5, 7, 9, 11, 13], responseMask: [0, 0, 1, 1, 1, 1] },
      { ids: [2, 4, 6], responseMask: [0, 0, 1] },
      { ids: [3, 8, 12, 16, 20, 24, 28, 30], responseMask: [0, 0, 0, 0, 0, 1, 1, 1] },
    ];
    const bt = toBatchTensors(examples, 0);
    const dense = () => tf.sum(responseLogprobs(model, bt).logprobs, 1) as tf.Tensor1D;
    const want = dense().arraySync();
    const got = sequenceLogprobSums(model, bt).arraySync();
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    const averaged = sequenceLogprobSums(model, bt, { average: true }).arraySync();
    expect(averaged[0]).toBeCloseTo(want[0]! / 4, 4);
    // Same gradient for every weight (a weighted sum of the rows, so each row's gradient counts).
    const w = tf.tensor1d([1, -2, 0.5]);
    const a = computeGrads(() => tf.sum(tf.mul(dense(), w)) as tf.Scalar, model.params);
    const b = computeGrads(() => tf.sum(tf.mul(sequenceLogprobSums(model, bt), w)) as tf.Scalar, model.params);
    for (const [name, g] of a.grads) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g, b.grads.get(name)!))).dataSync()[0]!);
      expect(diff, name).toBeLessThan(1e-4);
    }
    tf.dispose([a.loss, b.loss, ...a.grads.values(), ...b.grads.values(), w]);
    disposeBatchTensors(bt);
    model.dispose();
  });
});
