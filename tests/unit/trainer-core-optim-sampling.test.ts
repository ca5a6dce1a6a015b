// Adam(W) follows torch's update rule, decays only 2-D weights, clips by global norm; the sampler's filters work.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { accumulatedGrads, Adam, clipByGlobalNorm, computeGrads } from "../../trainer/model/adam.js";
import { sampleToken } from "../../trainer/generate/index.js";
import { mulberry32 } from "../../server/services/random.js";

describe("Adam", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("matches torch.optim.AdamW's formula step by step, with decay on 2-D weights only", () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1]]));
    const b = tf.variable(tf.tensor1d([0.25]));
    const lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-5, wd = 0.1;
    const adam = new Adam(new Map<string, tf.Variable>([["w", w], ["b", b]]), { lr, beta1: b1, beta2: b2, eps, weightDecay: wd });
    const gradsSeq = [[[0.2, -0.4], [1.0]], [[-0.1, 0.3], [0.5]]];
    // reference, in float64
    const ref = { w: [0.5, -1], b: [0.25], mw: [0, 0], vw: [0, 0], mb: [0], vb: [0] };
    gradsSeq.forEach(([gw, gb], i) => {
      const t = i + 1;
      const upd = (p: number[], m: number[], v: number[], g: number[], decay: boolean) =>
        p.forEach((_, j) => {
          if (decay) p[j]! *= 1 - lr * wd;
          m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
          v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
          p[j]! -= (lr / (1 - b1 ** t)) * m[j]! / (Math.sqrt(v[j]!) / Math.sqrt(1 - b2 ** t) + eps);
        });
      upd(ref.w, ref.mw, ref.vw, gw!, true);
      upd(ref.b, ref.mb, ref.vb, gb!, false);
      adam.step(new Map<string, tf.Tensor>([["w", tf.tensor2d([gw!])], ["b", tf.tensor1d(gb!)]]));
    });
    Array.from(w.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(ref.w[j]!, 5));
    expect(b.dataSync()[0]).toBeCloseTo(ref.b[0]!, 5);
    expect(adam.stepCount).toBe(2);
  });

  it("clipByGlobalNorm scales every gradient by maxNorm / ‖g‖ and leaves small ones alone", () => {
    const grads = new Map<string, tf.Tensor>([["a", tf.tensor1d([3, 0])], ["b", tf.tensor1d([4])]]);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    expect(Array.from(clipped.get("a")!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(clipped.get("b")!.dataSync()[0]).toBeCloseTo(0.8, 5);
    const small = clipByGlobalNorm(grads, 10);
    expect(small.grads.get("b")!.dataSync()[0]).toBeCloseTo(4, 5);
  });
});

describe("gradient accumulation", () => {
  it("averaging the gradients of equal micro-batches gives the full batch's gradient and loss, and leaks nothing", () => {
    const w = tf.variable(tf.tensor2d([[0.3], [-0.7], [1.1]]));
    const params = new Map<string, tf.Variable>([["w", w]]);
    const rand = mulberry32(3);
    const x = tf.tensor2d(Array.from({ length: 8 }, () => [rand(), rand(), rand()]));
    const y = tf.tensor2d(Array.from({ length: 8 }, () => [rand()]));
    const mse = (rows: number[]) =>
      tf.tidy(() => {
        const idx = tf.tensor1d(rows, "int32");
        return tf.mean(tf.square(tf.sub(tf.matMul(tf.gather(x, idx), w), tf.gather(y, idx)))) as tf.Scalar;
      });
    const full = computeGrads(() => mse([0, 1, 2, 3, 4, 5, 6, 7]), params);
    const before = tf.memory().numTensors;
    const parts = [[0, 1], [2, 3], [4, 5], [6, 7]];
    const acc = accumulatedGrads(params, parts.length, (i) => mse(parts[i]!));
    expect(tf.memory().numTensors).toBe(before + 2); // the loss and the one gradient
    expect(acc.loss.dataSync()[0]).toBeCloseTo(full.loss.dataSync()[0]!, 6);
    Array.from(acc.grads.get("w")!.dataSync()).forEach((g, j) => expect(g).toBeCloseTo(full.grads.get("w")!.dataSync()[j]!, 6));
    tf.dispose([acc.loss, full.loss, ...acc.grads.values(), ...full.grads.values(), w, x, y]);
  });
});

describe("sampleToken", () => {
  const logits = Float32Array.from([1, 3, 2, 0.5, 2.9]);

  it("temperature 0 and topK 1 are greedy; topP keeps only the nucleus", () => {
    const rand = mulberry32(1);
    expect(sampleToken(logits, { temperature: 0 }, rand).id).toBe(1);
    for (let i = 0; i < 20; i++) expect(sampleToken(logits, { topK: 1 }, rand).id).toBe(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(logits, { topK: 2 }, rand).id);
    expect([...seen].sort()).toEqual([1, 4]);
    // p(1) ≈ 0.43, p(4) ≈ 0.39: a 0.5 nucleus needs exactly those two tokens
    seen.clear();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(logits, { topP: 0.5 }, rand).id);
    expect([...seen].sort()).toEqual([1, 4]);
  });

  it("samples in proportion to softmax(logits / T) and reports that log-probability", () => {
    const rand = mulberry32(2);
    const counts = new Array(5).fill(0);
    const n = 20000;
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const s = sampleToken(logits, { temperature: 2 }, rand);
      counts[s.id]++;
      if (s.id === 0) lp = s.logprob;
    }
    const z = Array.from(logits).reduce((a, x) => a + Math.exp(x / 2), 0);
    Array.from(logits).forEach((x, i) => expect(Math.abs(counts[i] / n - Math.exp(x / 2) / z)).toBeLessThan(0.015));
    expect(lp).toBeCloseTo(0.5 - Math.log(z), 5);
  });
});
