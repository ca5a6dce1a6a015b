// Memory of the online trainers' update (PPO here; GRPO and RLOO share its log-prob path): only response positions
// reach the vocabulary projection, the entropy metric keeps no vocabulary-sized tensor for the backward pass, and no
// tensor outlives an iteration.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { memoryContext } from "../../trainer/rl/context";
import { trainPPO } from "../../trainer/rl/ppo";
import { parseRunConfig } from "../../server/services/run-kinds/index";

const EOS = 1;
const PAD = 0;
// A vocabulary large next to the width, and prompts long next to the responses: the shape of a real RL batch, where
// per-position [B, T, V] logits dwarf everything else.
const shape = { vocab_size: 1024, n_positions: 64, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
const prompts = Array.from({ length: 4 }, (_, p) => Array.from({ length: 40 }, (_, t) => 2 + ((p * 37 + t * 11) % 1000)));
/** Always 4 fixed response tokens (no EOS), so every iteration has the same shapes. */
const sample = async (_gpt: GPT, p: number[][]) => p.map((_, i) => [10 + i, 20 + i, 30 + i, 40 + i]);

describe("online trainer memory", () => {
  it("one PPO minibatch step peaks far below per-position logits, and tensor counts stay flat over iterations", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 1 });
    const reference = new GPT(shape, { seed: 1 });
    const valueHead = new ScalarHead(shape.n_embd, { init: "zeros" });
    const counts: number[] = [];
    const ctx = memoryContext();
    const run = (max_steps: number) =>
      trainPPO({
        policy,
        valueHead,
        reference,
        rewardFn: (rs) => rs.map((r) => r[0]! / 10),
        prompts,
        eosId: EOS,
        padId: PAD,
        sample,
        config: parseRunConfig("ppo", { max_steps, batch_size: 4, mini_batch_size: 4, num_ppo_epochs: 1, response_length: 4, value_model: "policy_head", seed: 2 }),
        ctx: { ...ctx, reportMetrics: (step, m) => { ctx.reportMetrics(step, m); counts.push(tf.memory().numTensors); } },
      });
    await run(1); // warm-up: kernels and caches
    const start = tf.memory().numBytes;
    const p = await tf.profile(async () => {
      await run(1);
    });
    await run(3);
    expect(new Set(counts).size).toBe(1);
    // In units of one [B·T, V] float tensor of this batch (4 rows of 44 tokens): the dense path (log-softmax over
    // every position, entropy in the graph) peaked at 27.4 of them; gathering the 16 response rows, 2.55 (what is
    // left is activations, gradients and Adam's moments, which grow with tokens × width, not with the vocabulary).
    const logitsBytes = 4 * 44 * shape.vocab_size * 4;
    expect((p.peakBytes - start) / logitsBytes).toBeLessThan(4);
    for (const m of [policy, reference, valueHead]) m.dispose();
  });
});
