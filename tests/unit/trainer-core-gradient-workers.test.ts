// GradientWorkers: the weighted sum of shard gradients (main thread + a worker) equals the full-batch gradient.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { GPT } from "../../trainer/model/gpt.js";
import { computeGrads } from "../../trainer/model/adam.js";
import { GradientWorkers } from "../../trainer/model/gradient-workers.js";
import { meanTokenNll } from "../../trainer/model/losses.js";
import { mulberry32 } from "../../server/services/random.js";

const config = { vocab_size: 50, n_positions: 12, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
let dp: GradientWorkers;

describe("GradientWorkers", () => {
  beforeAll(async () => {
    await initBackend("wasm");
    dp = await GradientWorkers.start({ config, lossModule: new URL("../../trainer/model/losses.ts", import.meta.url).href, lossExport: "meanTokenNll", workers: 1 });
  }, 60_000);
  afterAll(async () => {
    await dp.close();
  });

  it("main + 1 worker reproduce the full-batch loss and gradients, call after call", async () => {
    const model = new GPT(config, { seed: 9 });
    const rand = mulberry32(3);
    const rows = 4, T = 12;
    const ids = Int32Array.from({ length: rows * T }, () => Math.floor(rand() * 50));
    const targets = Int32Array.from({ length: rows * T }, () => Math.floor(rand() * 50));
    const shard = (a: number, b: number) => ({ ids: ids.slice(a * T, b * T), targets: targets.slice(a * T, b * T), rows: b - a, seqLen: T });
    for (let call = 0; call < 2; call++) {
      const full = computeGrads(() => meanTokenNll(model, undefined, shard(0, rows)), model.params);
      // unequal shards (1 row + 3 rows), weighted by their share of tokens
      const r = await dp.computeGrads(model, undefined, [shard(0, 1), shard(1, rows)], [1 / 4, 3 / 4]);
      expect(r.loss).toBeCloseTo(full.loss.dataSync()[0]!, 5);
      for (const [name, g] of full.grads) {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g, r.grads.get(name)!))).dataSync()[0]!);
        expect(diff).toBeLessThan(1e-5);
      }
      tf.dispose([full.loss, ...full.grads.values(), ...r.grads.values()]);
      // change the weights so the next call must ship the new values to the worker
      model.params.get("wte.weight")!.assign(tf.mul(model.params.get("wte.weight")!, 1.5));
    }
    model.dispose();
  }, 60_000);
});
