// A training step's memory stays bounded: peak tensor bytes within a stated multiple of what the model and its
// activations need, and no tensor outlives the step (a regression test for Adam and custom-gradient leaks).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { Adam, clipByGlobalNorm, computeGrads } from "../../trainer/model/adam.js";
import { GPT } from "../../trainer/model/gpt.js";
import { meanTokenNll, type TokenShard } from "../../trainer/model/losses.js";
import { gelu } from "../../trainer/model/ops.js";
import { mulberry32 } from "../../server/services/random.js";

describe("training memory", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("Adam's update needs one fresh parameter-sized tensor at a time on wasm, not a dozen per parameter", () => {
    // Eight equal parameters: one tidy around the whole loop kept ~a dozen temporaries of each alive at once (112
    // parameters' worth); a tidy per parameter, 14; the fused update writes the moments in place and the weights
    // into one new tensor.
    const params = new Map(Array.from({ length: 8 }, (_, i) => [`w${i}`, tf.variable(tf.randomNormal([256, 256], 0, 1, "float32", i))] as const));
    const grads = new Map([...params].map(([n, p]) => [n, tf.onesLike(p)] as const));
    const adam = new Adam(params, { lr: 1e-3, weightDecay: 0.1 });
    const oneParamBytes = 256 * 256 * 4;
    const before = tf.memory().numTensors;
    return tf.profile(() => adam.step(grads)).then((p) => {
      expect(tf.memory().numTensors).toBe(before);
      // Above the resident state (params, grads, moments): at most a few temporaries of one parameter.
      expect(p.peakBytes - tf.memory().numBytes).toBeLessThanOrEqual(2 * oneParamBytes);
      adam.dispose();
      tf.dispose([...params.values(), ...grads.values()]);
    });
  });

  it("stacked GELUs keep one tensor each between the forward and the backward pass", async () => {
    const x = tf.variable(tf.randomNormal([256, 256], 0, 1, "float32", 3));
    const bytes = 256 * 256 * 4;
    const depth = 8;
    const start = tf.memory().numBytes;
    const p = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => {
        let y: tf.Tensor = x;
        for (let i = 0; i < depth; i++) y = gelu(y);
        return tf.sum(y) as tf.Scalar;
      }, [x]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    // Per layer: its output, the saved input and the gradients on the way back (measured 33 in all for 8 layers; 91
    // when each GELU kept x, σ and x² and nothing was tidied).
    expect(p.peakBytes - start).toBeLessThanOrEqual((4 * depth + 8) * bytes);
    x.dispose();
  });

  it("a full SFT-style step (forward, backward, clip, Adam) leaves no tensor behind and peaks within bounds", async () => {
    const cfg = { vocab_size: 64, n_positions: 64, n_embd: 64, n_layer: 2, n_head: 4, layer_norm_epsilon: 1e-5 };
    const model = new GPT(cfg, { seed: 1 });
    const adam = new Adam(model.params, { lr: 1e-3, eps: 1e-5, weightDecay: 0.1 });
    const rng = mulberry32(5);
    const rows = 4;
    const seqLen = 48;
    const ids = Int32Array.from({ length: rows * seqLen }, () => Math.floor(rng() * cfg.vocab_size));
    const shard: TokenShard = { ids, targets: Int32Array.from(ids, (_, i) => ids[(i + 1) % ids.length]!), rows, seqLen };
    const step = () => {
      const { loss, grads } = computeGrads(() => meanTokenNll([{ gpt: model }], shard), model.params);
      const clipped = clipByGlobalNorm(grads, 1);
      tf.dispose([...grads.values()]);
      adam.step(clipped.grads);
      tf.dispose([loss, clipped.norm, ...clipped.grads.values()]);
    };
    step(); // warm-up: kernels and caches
    const before = tf.memory();
    const p = await tf.profile(step);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    const paramBytes = model.numParams() * 4;
    const tokens = rows * seqLen;
    // Above what was resident before the step: the gradients and their clipped copy, and the activations the backward
    // pass needs. Measured 74·D floats per token per layer with every custom op tidied, 158·D before; 90·D allowed.
    const budget = 2 * paramBytes + tokens * cfg.n_layer * 90 * cfg.n_embd * 4;
    expect(p.peakBytes - before.numBytes).toBeLessThanOrEqual(budget);
    adam.dispose();
    model.dispose();
  });

  it("gradient checkpointing gives the same loss and gradients with far less activation memory", async () => {
    const cfg = { vocab_size: 64, n_positions: 64, n_embd: 64, n_layer: 4, n_head: 4, layer_norm_epsilon: 1e-5 };
    const model = new GPT(cfg, { seed: 2 });
    const rng = mulberry32(7);
    const rows = 4;
    const seqLen = 48;
    const ids = Int32Array.from({ length: rows * seqLen }, () => Math.floor(rng() * cfg.vocab_size));
    const shard: TokenShard = { ids, targets: Int32Array.from(ids, (_, i) => ids[(i + 3) % ids.length]!), rows, seqLen };
    const mask = tf.tensor2d(Array.from({ length: rows * seqLen }, (_, i) => (i % seqLen < seqLen - 5 * (i % rows) ? 1 : 0)), [rows, seqLen], "int32");
    const run = async (checkpointing: boolean) => {
      model.gradientCheckpointing = checkpointing;
      const start = tf.memory().numBytes;
      let out: { loss: number; grads: Map<string, Float32Array> } | null = null;
      const p = await tf.profile(() => {
        // With a padding mask, as the trainers call it (the attention bias then comes from the mask).
        const { loss, grads } = computeGrads(
          () =>
            tf.tidy(() => {
              const hidden = model.hiddenStates(tf.tensor2d(shard.ids, [rows, seqLen], "int32"), { attentionMask: mask });
              return tf.add(meanTokenNll([{ gpt: model }], shard), tf.mul(tf.mean(tf.square(hidden)), 0.1)) as tf.Scalar;
            }),
          model.params,
        );
        out = { loss: loss.dataSync()[0]!, grads: new Map([...grads].map(([n, g]) => [n, g.dataSync() as Float32Array])) };
        tf.dispose([loss, ...grads.values()]);
      });
      return { ...out!, peak: p.peakBytes - start };
    };
    const plain = await run(false);
    const before = tf.memory().numTensors;
    const recomputed = await run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(recomputed.loss).toBeCloseTo(plain.loss, 5);
    for (const [name, g] of plain.grads) {
      const r = recomputed.grads.get(name)!;
      const diff = Math.max(...g.map((v, j) => Math.abs(v - r[j]!)));
      expect(diff, name).toBeLessThan(1e-5);
    }
    // Four layers: the plain pass holds every layer's activations at once, the recomputing one about one layer's.
    expect(recomputed.peak).toBeLessThan(0.6 * plain.peak);
    mask.dispose();
    model.dispose();
  });
});
