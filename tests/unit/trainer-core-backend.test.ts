// Backend selection: explicit names, auto falling back to wasm (no tfjs-node here), one-line errors, wasm kernels.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { blockMatMul } from "../../trainer/backend/block-matmul.js";

describe("initBackend", () => {
  it("auto picks tfjs-node when installed, else wasm", async () => {
    const name = await initBackend("auto");
    expect(["tensorflow", "wasm"]).toContain(name);
    expect(tf.getBackend()).toBe(name);
  });

  it("gives one-line errors for unknown or unavailable backends", async () => {
    await expect(initBackend("bogus")).rejects.toThrowError(/^unknown backend 'bogus': use one of auto, tensorflow-gpu, tensorflow, wasm, cpu$/);
    let nativeInstalled = true;
    try {
      await import(/* @vite-ignore */ ["@tensorflow", "tfjs-node"].join("/"));
    } catch {
      nativeInstalled = false;
    }
    if (!nativeInstalled) await expect(initBackend("tensorflow")).rejects.toThrowError(/^backend 'tensorflow' is unavailable: install @tensorflow\/tfjs-node/);
  });

  it("wasm: gather gradient (UnsortedSegmentSum) and blockMatMul match the cpu backend", async () => {
    await initBackend("wasm");
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor1d([2, 0, 2], "int32");
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.tensor2d([[1, 10], [100, 1000], [2, 20]]))))(table);
    expect(g.arraySync()).toEqual([[100, 1000], [0, 0], [3, 30]]);
    const a = tf.randomNormal([3, 4, 5], 0, 1, "float32", 1) as tf.Tensor3D;
    const b = tf.randomNormal([3, 5, 2], 0, 1, "float32", 2) as tf.Tensor3D;
    const fast = blockMatMul(a, b).arraySync();
    await initBackend("cpu");
    const ref = tf.matMul(tf.tensor(a.arraySync()), tf.tensor(b.arraySync())).arraySync() as number[][][];
    ref.forEach((m, i) => m.forEach((row, r) => row.forEach((v, c) => expect(Math.abs(v - fast[i]![r]![c]!)).toBeLessThan(1e-5))));
  });
});
