// The wasm-friendly ops (hand-written gradients) against plain tfjs autodiff on the cpu backend, to 1e-4.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { gelu, layerNorm, linear, tokenLogprobs, attentionBias, causalSelfAttention, blockAttention, batchedAttention, splitColumns, concatColumns, gatherRows, columnSum } from "../../trainer/model/ops.js";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Gradients of sum(f(inputs) * r) for a fixed random r, so every output element matters. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 7): tf.Tensor[] {
  const r = tf.randomNormal(f(...inputs).shape, 0, 1, "float32", seed);
  return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
}

describe("custom-gradient ops match tfjs autodiff (cpu)", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("linear with and without bias", () => {
    const x = tf.randomNormal([6, 5], 0, 1, "float32", 1);
    const w = tf.randomNormal([5, 4], 0, 1, "float32", 2);
    const b = tf.randomNormal([4], 0, 1, "float32", 3);
    const ref = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
    const ours = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
    expect(maxAbsDiff(ours(x, w, b), ref(x, w, b))).toBeLessThan(1e-5);
    const g1 = gradsOf(ours, [x, w, b]);
    const g2 = gradsOf(ref, [x, w, b]);
    g1.forEach((g, i) => expect(maxAbsDiff(g, g2[i]!)).toBeLessThan(1e-4));
    const gNoBias = gradsOf((x, w) => linear(x as tf.Tensor2D, w as tf.Tensor2D), [x, w]);
    const gNoBiasRef = gradsOf((x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), [x, w]);
    gNoBias.forEach((g, i) => expect(maxAbsDiff(g, gNoBiasRef[i]!)).toBeLessThan(1e-4));
  });

  it("gelu (tanh form) equals 0.5x(1+tanh(√(2/π)(x+0.044715x³)))", () => {
    const x = tf.mul(tf.randomNormal([7, 9], 0, 1, "float32", 4), 3);
    const ref = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    expect(maxAbsDiff(gelu(x), ref(x))).toBeLessThan(1e-5);
    expect(maxAbsDiff(gradsOf(gelu, [x])[0]!, gradsOf(ref, [x])[0]!)).toBeLessThan(1e-4);
  });

  it("layerNorm", () => {
    const x = tf.add(tf.mul(tf.randomNormal([5, 8], 0, 1, "float32", 5), 2), 1);
    const g = tf.randomNormal([8], 1, 0.2, "float32", 6);
    const b = tf.randomNormal([8], 0, 0.2, "float32", 7);
    const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    };
    const ours = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
    expect(maxAbsDiff(ours(x, g, b), ref(x, g, b))).toBeLessThan(1e-5);
    const g1 = gradsOf(ours, [x, g, b]);
    const g2 = gradsOf(ref, [x, g, b]);
    g1.forEach((t, i) => expect(maxAbsDiff(t, g2[i]!)).toBeLessThan(1e-4));
  });

  it("tokenLogprobs equals logSoftmax gathered, value and gradient, and stays finite for tiny probabilities", () => {
    const logits = tf.mul(tf.randomNormal([6, 11], 0, 1, "float32", 8), 3);
    const targets = tf.tensor1d([0, 3, 10, 5, 5, 1], "int32");
    const ref = (l: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 11)), -1);
    const ours = (l: tf.Tensor) => tokenLogprobs(l as tf.Tensor2D, targets);
    expect(maxAbsDiff(ours(logits), ref(logits))).toBeLessThan(1e-5);
    expect(maxAbsDiff(gradsOf(ours, [logits])[0]!, gradsOf(ref, [logits])[0]!)).toBeLessThan(1e-4);
    const extreme = tf.tensor2d([[0, 200, -300]]);
    const lp = tokenLogprobs(extreme, tf.tensor1d([2], "int32")).dataSync()[0]!;
    expect(lp).toBeCloseTo(-500, 3);
  });

  it("attention with causal and padding bias matches a per-head reference", () => {
    const B = 2, T = 5, H = 2, D = 8;
    const q = tf.randomNormal([B * T, D], 0, 1, "float32", 9) as tf.Tensor2D;
    const k = tf.randomNormal([B * T, D], 0, 1, "float32", 10) as tf.Tensor2D;
    const v = tf.randomNormal([B * T, D], 0, 1, "float32", 11) as tf.Tensor2D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]]);
    const bias = attentionBias(mask, B, T, T);
    const out = causalSelfAttention(q, k, v, bias, { batch: B, tq: T, tk: T, nHead: H });
    const qa = q.arraySync(), ka = k.arraySync(), va = v.arraySync(), ma = mask.arraySync();
    const oa = out.arraySync();
    const dh = D / H;
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
      if (ma[b]![i] === 0) continue; // padded queries: output unused
      const s: number[] = [];
      for (let j = 0; j <= i; j++) {
        if (ma[b]![j] === 0) continue;
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += qa[b * T + i]![h * dh + d]! * ka[b * T + j]![h * dh + d]!;
        s.push(dot / Math.sqrt(dh));
      }
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, c) => a + c, 0);
      for (let d = 0; d < dh; d++) {
        let acc = 0, n = 0;
        for (let j = 0; j <= i; j++) {
          if (ma[b]![j] === 0) continue;
          acc += (e[n++]! / z) * va[b * T + j]![h * dh + d]!;
        }
        expect(Math.abs(oa[b * T + i]![h * dh + d]! - acc)).toBeLessThan(1e-4);
      }
    }
  });
});

describe("block attention (the wasm fast path) equals the batched form", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(async () => {
    await initBackend("cpu");
  });
  it("values and gradients, with padding and with Tq < Tk (KV cache)", () => {
    for (const [tq, tk] of [[6, 6], [2, 6]] as const) {
      const B = 2, H = 2, D = 8;
      const q = tf.randomNormal([B * tq, D], 0, 1, "float32", 21) as tf.Tensor2D;
      const k = tf.randomNormal([B * tk, D], 0, 1, "float32", 22) as tf.Tensor2D;
      const v = tf.randomNormal([B * tk, D], 0, 1, "float32", 23) as tf.Tensor2D;
      const bias = attentionBias(tf.tensor2d([[1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]]), B, tq, tk);
      const dims = { batch: B, tq, tk, nHead: H };
      const a = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => blockAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, dims);
      const b = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => batchedAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, dims);
      expect(maxAbsDiff(a(q, k, v), b(q, k, v))).toBeLessThan(1e-5);
      const ga = gradsOf(a, [q, k, v]);
      const gb = gradsOf(b, [q, k, v]);
      ga.forEach((g, i) => expect(maxAbsDiff(g, gb[i]!)).toBeLessThan(1e-4));
    }
  });
});

describe("wasm fast kernels equal the plain ops (values and gradients)", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(async () => {
    await initBackend("cpu");
  });
  it("splitColumns/concatColumns, gatherRows and columnSum", () => {
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 31) as tf.Tensor2D;
    const parts = splitColumns(x, 3);
    tf.split(x, 3, 1).forEach((p, i) => expect(maxAbsDiff(parts[i]!, p)).toBe(0));
    expect(maxAbsDiff(concatColumns(parts), x)).toBe(0);
    const w = tf.randomNormal([6, 2], 0, 1, "float32", 32);
    const f = (fn: (t: tf.Tensor2D) => tf.Tensor2D[]) => tf.grad((t: tf.Tensor) => tf.sum(tf.matMul(tf.mul(fn(t as tf.Tensor2D)[0]!, 2).concat(fn(t as tf.Tensor2D)[2]!, 1) as tf.Tensor2D, tf.slice(w, [0, 0], [4, 2]) as tf.Tensor2D)))(x);
    expect(maxAbsDiff(f((t) => splitColumns(t, 3)), f((t) => tf.split(t, 3, 1)))).toBeLessThan(1e-6);
    const table = tf.randomNormal([7, 4], 0, 1, "float32", 33) as tf.Tensor2D;
    const ids = tf.tensor1d([3, 0, 3, 6], "int32");
    expect(maxAbsDiff(gatherRows(table, ids), tf.gather(table, ids))).toBe(0);
    const r = tf.randomNormal([4, 4], 0, 1, "float32", 34);
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), r)))(table);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), r)))(table);
    expect(maxAbsDiff(g1, g2)).toBeLessThan(1e-6);
    expect(maxAbsDiff(columnSum(x), tf.sum(x, 0))).toBeLessThan(1e-5);
    // 7 rows: the kernel's four-row passes and its leftover rows.
    const tall = tf.randomNormal([7, 3], 0, 1, "float32", 35);
    expect(maxAbsDiff(columnSum(tall), tf.sum(tall, 0))).toBeLessThan(1e-5);
  });

  it("gelu's one-pass gradient, and the bias and LayerNorm gradients built on columnSum", () => {
    const x = tf.mul(tf.randomNormal([7, 9], 0, 1, "float32", 36), 3);
    const geluRef = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(t, tf.mul(0.044715, tf.pow(t, 3)))))));
    expect(maxAbsDiff(gradsOf(gelu, [x])[0]!, gradsOf(geluRef, [x])[0]!)).toBeLessThan(1e-4);
    const w = tf.randomNormal([9, 4], 0, 1, "float32", 37);
    const b = tf.randomNormal([4], 0, 1, "float32", 38);
    const ours = gradsOf((a, c, d) => linear(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D), [x, w, b]);
    const ref = gradsOf((a, c, d) => tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d), [x, w, b]);
    ours.forEach((g, i) => expect(maxAbsDiff(g, ref[i]!)).toBeLessThan(1e-4));
    const gamma = tf.randomNormal([9], 1, 0.2, "float32", 39);
    const beta = tf.randomNormal([9], 0, 0.2, "float32", 40);
    const lnRef = (a: tf.Tensor, g: tf.Tensor, c: tf.Tensor) => {
      const m = tf.moments(a, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(a, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), g), c);
    };
    const lnOurs = gradsOf((a, g, c) => layerNorm(a as tf.Tensor2D, g as tf.Tensor1D, c as tf.Tensor1D, 1e-5), [x, gamma, beta]);
    gradsOf(lnRef, [x, gamma, beta]).forEach((g, i) => expect(maxAbsDiff(lnOurs[i]!, g)).toBeLessThan(1e-4));
  });
});
