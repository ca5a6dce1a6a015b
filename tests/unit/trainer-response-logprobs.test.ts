// Log-probs at response positions only (gathered hidden rows, no logits for prompt or padding) equal the dense
// computation over every position, in value and in gradient, with temperature; so do the entropy metric and the
// differentiable entropy, and DPO's per-row sums built on them.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { computeGrads } from "../../trainer/model/adam.js";
import { GPT } from "../../trainer/model/gpt.js";
import { responseLogprobs, sequenceLogprobSums, toBatchTensors, disposeBatchTensors, type BatchTensors } from "../../trainer/rl/forward.js";
import { entropyFromLogits, logprobsFromLogits, maskedMean } from "../../trainer/rl/utils.js";

const cfg = { vocab_size: 40, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 };
// Ragged rows: different prompt and response lengths, right padding, one row with a single response token.
const examples = [
  { ids: [1, 5, 7, 9, 11, 13], responseMask: [0, 0, 1, 1, 1, 1] },
  { ids: [2, 4, 6], responseMask: [0, 0, 1] },
  { ids: [3, 8, 12, 16, 20, 24, 28, 30], responseMask: [0, 0, 0, 0, 0, 1, 1, 1] },
];

/** The former path: logits, log-softmax and entropy at every position, masked afterwards. */
function dense(model: GPT, bt: BatchTensors, temperature: number) {
  const logits = tf.div(model.forward(bt.ids, { attentionMask: bt.attentionMask }).logits, temperature);
  return { logprobs: tf.mul(logprobsFromLogits(logits, bt.labels), bt.lossMask) as tf.Tensor2D, entropy: maskedMean(entropyFromLogits(logits), bt.lossMask) as tf.Scalar };
}

function expectSameGrads(a: Map<string, tf.Tensor>, b: Map<string, tf.Tensor>, tol: number): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [name, g] of a) {
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g, b.get(name)!))).dataSync()[0]!);
    expect(diff, name).toBeLessThan(tol);
  }
}

describe("response log-probs by gather", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("equal the dense path's log-probs (within 1e-5), its entropy and their gradients, at temperature 0.7", () => {
    const model = new GPT(cfg, { seed: 3 });
    const bt = toBatchTensors(examples, 0);
    const want = tf.tidy(() => dense(model, bt, 0.7));
    const got = tf.tidy(() => responseLogprobs(model, bt, { temperature: 0.7, entropy: "metric" }));
    const [w, g] = [want.logprobs.dataSync(), got.logprobs.dataSync()];
    g.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThan(1e-5));
    expect(got.entropy!.dataSync()[0]).toBeCloseTo(want.entropy.dataSync()[0]!, 5);
    // A loss mixing the log-probs (weighted per position) and the entropy: the differentiable entropy gives the dense
    // gradient; the metric entropy gives the gradient of the log-prob term alone.
    const weights = tf.randomNormal([bt.batch.batchSize, bt.batch.seqLen], 0, 1, "float32", 5);
    const lossOf = (lp: tf.Tensor, ent: tf.Scalar | null) => (ent ? tf.add(tf.sum(tf.mul(lp, weights)), tf.mul(0.3, ent)) : tf.sum(tf.mul(lp, weights))) as tf.Scalar;
    const a = computeGrads(() => { const d = dense(model, bt, 0.7); return lossOf(d.logprobs, d.entropy); }, model.params);
    const b = computeGrads(() => { const r = responseLogprobs(model, bt, { temperature: 0.7, entropy: "differentiable" }); return lossOf(r.logprobs, r.entropy!); }, model.params);
    expectSameGrads(a.grads, b.grads, 1e-5);
    const c = computeGrads(() => lossOf(dense(model, bt, 0.7).logprobs, null), model.params);
    const d = computeGrads(() => { const r = responseLogprobs(model, bt, { temperature: 0.7, entropy: "metric" }); return tf.add(lossOf(r.logprobs, null), tf.mul(0.3, r.entropy!)) as tf.Scalar; }, model.params);
    expectSameGrads(c.grads, d.grads, 1e-5);
    tf.dispose([want.logprobs, want.entropy, got.logprobs, got.hidden, got.entropy!, weights, a.loss, b.loss, c.loss, d.loss, ...a.grads.values(), ...b.grads.values(), ...c.grads.values(), ...d.grads.values()]);
    disposeBatchTensors(bt);
    model.dispose();
  });

  it("the entropy metric over a vocabulary large enough to be taken in row slices equals the dense entropy", () => {
    // 60 response rows × 40,000 = 2.4M values: more than one slice (2M values) of the metric.
    const model = new GPT({ ...cfg, vocab_size: 40_000, n_embd: 8, n_positions: 40 }, { seed: 4 });
    const rows = [0, 1].map((r) => ({ ids: Array.from({ length: 40 }, (_, t) => (r * 977 + t * 331) % 40_000), responseMask: Array.from({ length: 40 }, (_, t) => (t >= 10 ? 1 : 0)) }));
    const bt = toBatchTensors(rows, 0);
    const want = tf.tidy(() => dense(model, bt, 1.3).entropy.dataSync()[0]!);
    const got = tf.tidy(() => responseLogprobs(model, bt, { temperature: 1.3, entropy: "metric" }).entropy!.dataSync()[0]!);
    expect(Math.abs(got - want)).toBeLessThan(1e-4);
    disposeBatchTensors(bt);
    model.dispose();
  });

  it("a batch without response tokens gives zeros, still as a function of the weights", () => {
    const model = new GPT(cfg, { seed: 3 });
    const bt = toBatchTensors([{ ids: [1, 2, 3], responseMask: [0, 0, 0] }], 0);
    const { loss, grads } = computeGrads(() => tf.sum(responseLogprobs(model, bt).logprobs) as tf.Scalar, model.params);
    expect(loss.dataSync()[0]).toBe(0);
    expect(grads.size).toBeGreaterThan(0);
    tf.dispose([loss, ...grads.values()]);
    disposeBatchTensors(bt);
    model.dispose();
  });

  it("sequenceLogprobSums: the masked sum of every position's log-probs, and its gradient", () => {
    const model = new GPT(cfg, { seed: 3 });
    const bt = toBatchTensors(examples, 0);
    const sums = () => tf.sum(dense(model, bt, 1).logprobs, 1) as tf.Tensor1D;
    const want = tf.tidy(() => sums().arraySync());
    const got = tf.tidy(() => sequenceLogprobSums(model, bt).arraySync());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    const averaged = tf.tidy(() => sequenceLogprobSums(model, bt, { average: true }).arraySync());
    expect(averaged[0]).toBeCloseTo(want[0]! / 4, 4);
    // Same gradient for every weight (a weighted sum of the rows, so each row's gradient counts).
    const w = tf.tensor1d([1, -2, 0.5]);
    const a = computeGrads(() => tf.sum(tf.mul(sums(), w)) as tf.Scalar, model.params);
    const b = computeGrads(() => tf.sum(tf.mul(sequenceLogprobSums(model, bt), w)) as tf.Scalar, model.params);
    expectSameGrads(a.grads, b.grads, 1e-4);
    tf.dispose([a.loss, b.loss, ...a.grads.values(), ...b.grads.values(), w]);
    disposeBatchTensors(bt);
    model.dispose();
  });
});
