// Data-parallel training over two worker_threads equals one in-process Adam run on the full batch.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { runDataParallel } from "../../trainer/bench/data-parallel.js";
import { GPT } from "../../trainer/model/gpt.js";
import { Adam, computeGrads } from "../../trainer/model/adam.js";
import { tokenLogprobs } from "../../trainer/model/ops.js";
import { mulberry32 } from "../../server/services/random.js";

const config = { vocab_size: 64, n_positions: 16, n_embd: 32, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
const B = 4;
const T = config.n_positions;

describe("data-parallel training", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("2 workers (averaged grads, shared Adam) follow the same loss curve as 1 process on the full batch", async () => {
    const rand = mulberry32(5);
    const ids = Int32Array.from({ length: B * T }, () => Math.floor(rand() * config.vocab_size));
    const targets = Int32Array.from({ length: B * T }, () => Math.floor(rand() * config.vocab_size));
    const dp = await runDataParallel({ config, ids, targets, batch: B, workers: 2, seconds: 1e9, warmupSteps: 1, maxSteps: 4, lr: 1e-2, seed: 0 });
    expect(dp.losses).toHaveLength(5);
    expect(dp.tensors.every((t) => t.afterWarmup === t.atEnd)).toBe(true);

    const model = new GPT(config, { seed: 0 });
    const adam = new Adam(model.params, { lr: 1e-2 });
    const x = tf.tensor2d(ids, [B, T], "int32");
    const y = tf.tensor1d(targets, "int32");
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) {
      const { loss, grads } = computeGrads(() => tf.tidy(() => tf.neg(tf.mean(tokenLogprobs(tf.reshape(model.forward(x).logits, [B * T, config.vocab_size]) as tf.Tensor2D, y))) as tf.Scalar), model.params);
      adam.step(grads);
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, ...grads.values()]);
    }
    dp.losses.forEach((l, i) => expect(Math.abs(l - losses[i]!)).toBeLessThan(1e-4));
    expect(losses[4]).toBeLessThan(losses[0]!);
    adam.dispose();
    model.dispose();
  }, 60_000);
});
