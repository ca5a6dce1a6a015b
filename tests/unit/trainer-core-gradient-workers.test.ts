// GradientWorkers: the weighted sum of shard gradients (main thread + a worker) equals the full-batch gradient, for a
// plain GPT and for a LoRA policy beside a separate critic with a scalar head (two trainable models).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { GPT } from "../../trainer/model/gpt.js";
import { ScalarHead } from "../../trainer/model/heads.js";
import { computeGrads } from "../../trainer/model/adam.js";
import { GradientWorkers, type Replica } from "../../trainer/model/gradient-workers.js";
import { balancedRanges, DataParallel } from "../../trainer/model/data-parallel.js";
import { generate } from "../../trainer/generate/index.js";
import { getTokenizer } from "../../trainer/tokenizer/index.js";
import { meanTokenNll } from "../../trainer/model/losses.js";
import { greedyNext, policyAndCriticLoss } from "../fixtures/two-model-loss.js";
import { mulberry32 } from "../../server/services/random.js";

const config = { vocab_size: 50, n_positions: 12, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
const rows = 4, T = 12;
const rand = mulberry32(3);
const ids = Int32Array.from({ length: rows * T }, () => Math.floor(rand() * 50));
const targets = Int32Array.from({ length: rows * T }, () => Math.floor(rand() * 50));
const shard = (a: number, b: number) => ({ ids: ids.slice(a * T, b * T), targets: targets.slice(a * T, b * T), rows: b - a, seqLen: T });

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("GradientWorkers", () => {
  it("main + 1 worker reproduce the full-batch loss and gradients, call after call", async () => {
    const model = new GPT(config, { seed: 9 });
    const dp = await GradientWorkers.start({ replicas: [{ gpt: model }], lossModule: new URL("../../trainer/model/losses.ts", import.meta.url).href, lossExport: "meanTokenNll", workers: 1 });
    try {
      for (let call = 0; call < 3; call++) {
        const full = computeGrads(() => meanTokenNll([{ gpt: model }], shard(0, rows)), model.params);
        // unequal shards (1 row + 3 rows), weighted by their share of tokens
        const r = await dp.computeGrads([shard(0, 1), shard(1, rows)], [1 / 4, 3 / 4]);
        expect(r.loss).toBeCloseTo(full.loss.dataSync()[0]!, 5);
        for (const [name, g] of full.grads) expect(maxDiff(g, r.grads.get(name)!)).toBeLessThan(1e-5);
        tf.dispose([full.loss, ...full.grads.values(), ...r.grads.values()]);
        // change the weights so the next call must ship the new values to the worker, then make a call the worker
        // sits out (one shard): the change must still reach it on the call after
        model.params.get("wte.weight")!.assign(tf.mul(model.params.get("wte.weight")!, 1.5));
        const alone = await dp.computeGrads([shard(0, 1)], [1]);
        tf.dispose([...alone.grads.values()]);
      }
    } finally {
      await dp.close();
      model.dispose();
    }
  }, 60_000);

  it("replicates a LoRA policy (base sent once, adapters synced) and a critic with a head, with gradient checkpointing", async () => {
    const policy = new GPT(config, { seed: 1 });
    policy.attachLora({ r: 2, alpha: 4, dropout: 0, targetModules: ["c_attn", "c_proj", "c_fc"], seed: 5 });
    const critic = new GPT(config, { seed: 2 });
    const head = new ScalarHead(config.n_embd, { seed: 3 });
    // B starts at 0 (a fresh adapter): move it so the adapters' gradients depend on both factors.
    for (const [name, v] of policy.lora!.params) if (name.endsWith("lora_B")) v.assign(tf.randomNormal(v.shape, 0, 0.1, "float32", 7));
    policy.gradientCheckpointing = true;
    const replicas: Replica[] = [{ gpt: policy }, { gpt: critic, head, prefix: "critic." }];
    const dp = await GradientWorkers.start({ replicas, lossModule: new URL("../fixtures/two-model-loss.ts", import.meta.url).href, lossExport: "policyAndCriticLoss", workers: 1 });
    try {
      expect([...dp.params.keys()].filter((n) => n.startsWith("h.")).every((n) => n.includes("lora_"))).toBe(true);
      expect(dp.params.has("critic.wte.weight") && dp.params.has("critic.score.weight")).toBe(true);
      for (let call = 0; call < 2; call++) {
        const out = {};
        const full = computeGrads(() => policyAndCriticLoss([{ gpt: policy }, { gpt: critic, head }], shard(0, rows), out), dp.params);
        const r = await dp.computeGrads([shard(0, 2), shard(2, rows)], [1 / 2, 1 / 2]);
        expect(r.outputs.map((o) => o.rows)).toEqual([2, 2]);
        expect(r.loss).toBeCloseTo(full.loss.dataSync()[0]!, 5);
        expect([...r.grads.keys()].sort()).toEqual([...full.grads.keys()].sort());
        for (const [name, g] of full.grads) expect(maxDiff(g, r.grads.get(name)!)).toBeLessThan(1e-5);
        tf.dispose([full.loss, ...full.grads.values(), ...r.grads.values()]);
        for (const v of dp.params.values()) v.assign(tf.add(v, 0.01));
      }
    } finally {
      await dp.close();
      policy.dispose();
      critic.dispose();
      head.dispose();
    }
  }, 60_000);

  it("samples on the workers with the current weights: greedy generation over 2 threads equals one thread", async () => {
    const tok = getTokenizer("byte");
    const model = new GPT({ ...config, vocab_size: tok.vocabSize, n_positions: 32 }, { seed: 4 });
    const dp = await DataParallel.start({ replicas: [{ gpt: model }], backend: "wasm", threads: 2 });
    try {
      const prompts = [[72, 105], [87], [65, 66, 67], [10, 11], [99]];
      for (let round = 0; round < 2; round++) {
        const alone = await generate(model, tok, prompts, { maxNewTokens: 6, temperature: 0, stopAtEos: false });
        const split = await dp.generate(prompts, { maxNewTokens: 6, temperature: 0, stopAtEos: false }, tok);
        expect(split.tokens).toEqual(alone.tokens);
        // Sampled (not greedy): fixed by the seed with a fixed thread count.
        const a = await dp.generate(prompts, { maxNewTokens: 6, temperature: 1, seed: 3 }, tok);
        const b = await dp.generate(prompts, { maxNewTokens: 6, temperature: 1, seed: 3 }, tok);
        expect(a.tokens).toEqual(b.tokens);
        // Any task of a module both threads import, over contiguous parts of a list, results in order.
        const task = { module: new URL("../fixtures/two-model-loss.ts", import.meta.url).href, name: "greedyNext" };
        expect(await dp.split(prompts, task)).toEqual(await greedyNext([{ gpt: model }], prompts));
        // New weights must reach the worker before it samples again.
        model.params.get("wte.weight")!.assign(tf.mul(model.params.get("wte.weight")!, -2));
      }
    } finally {
      await dp.close();
      model.dispose();
    }
  }, 60_000);

  it("balancedRanges splits items into contiguous ranges of about equal cost", () => {
    expect(balancedRanges([1, 1, 1, 1], 2)).toEqual([[0, 2], [2, 4]]);
    expect(balancedRanges([5, 1, 1, 1, 1, 1], 2)).toEqual([[0, 1], [1, 6]]);
    expect(balancedRanges([3], 4)).toEqual([[0, 1]]);
    expect(balancedRanges([1, 9, 1], 3)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });
});
