// PPO on a toy task: a tiny random GPT over 8 tokens learns to emit token 3, the reward. Checks that the ratio is
// exactly 1 on each batch's first minibatch, that the toy reward rises, and that tensor counts stay flat.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../trainer/backend";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { memoryContext } from "../../trainer/rl/context";
import { KlController } from "../../trainer/rl/kl-controller";
import { trainPPO } from "../../trainer/rl/ppo";
import { parseRunConfig } from "../../server/services/run-kinds/index";
const parsePPOConfig = (raw: unknown) => parseRunConfig("ppo", raw);
import { EOS, PAD, shape, prompts, toyReward, sampleResponses } from "../support/toy-online";


async function meanToyReward(policy: GPT, seed: number): Promise<number> {
  const many = Array.from({ length: 8 }, () => prompts).flat();
  const out = await sampleResponses(policy, many, { maxNewTokens: 6, temperature: 1, seed });
  const scores = toyReward(out.map((r) => (r.includes(EOS) ? r.slice(0, r.indexOf(EOS) + 1) : r)));
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

describe("PPO on a toy reward", () => {
  it("raises the reward, keeps the first minibatch's ratio at exactly 1, and keeps tensor counts flat", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 1 });
    const reference = new GPT(shape, { seed: 1 });
    const valueHead = new ScalarHead(shape.n_embd, { init: "zeros" });
    const before = await meanToyReward(policy, 99);
    const ctx = memoryContext();
    const firstRatios: Array<{ min: number; max: number }> = [];
    const tensorCounts: number[] = [];
    // A constant rate (the default): six iterations on this toy show a clear rise.
    const config = parsePPOConfig({ max_steps: 6, batch_size: 16, mini_batch_size: 8, num_ppo_epochs: 4, learning_rate: 3e-3, lr_scheduler_type: "constant", response_length: 6, beta: 0.01, seed: 3, value_model: "policy_head" });
    await trainPPO({
      policy,
      valueHead,
      reference,
      rewardFn: toyReward,
      prompts,
      eosId: EOS,
      padId: PAD,
      sample: sampleResponses,
      config,
      ctx: { ...ctx, reportMetrics: (step, m) => { ctx.reportMetrics(step, m); tensorCounts.push(tf.memory().numTensors); } },
      onMinibatch: (info) => {
        if (info.epoch === 0 && info.minibatch === 0) firstRatios.push({ min: info.ratioMin, max: info.ratioMax });
      },
    });
    const after = await meanToyReward(policy, 99);

    expect(firstRatios).toHaveLength(6);
    for (const r of firstRatios) expect(r).toEqual({ min: 1, max: 1 });
    expect(after).toBeGreaterThan(before + 0.1);
    expect(new Set(tensorCounts).size).toBe(1);
    const last = ctx.metrics.at(-1)!;
    for (const name of ["objective/scores", "objective/kl", "policy/approxkl_avg", "policy/clipfrac_avg", "policy/entropy_avg", "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg", "val/ratio", "val/explained_variance"])
      expect(Number.isFinite(last[name])).toBe(true);
    policy.dispose();
    reference.dispose();
    valueHead.dispose();
  });

  it("with a separate critic and a reward model, four models stay in memory with flat tensor counts", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 1 });
    const reference = new GPT(shape, { seed: 1 });
    const rm = { gpt: new GPT(shape, { seed: 7 }), head: new ScalarHead(shape.n_embd, { seed: 7 }) };
    const critic = { gpt: new GPT(shape, { seed: 7 }), head: new ScalarHead(shape.n_embd, { seed: 7 }) };
    const counts: number[] = [];
    const firstRatios: number[] = [];
    const ctx = memoryContext();
    const rmBefore = rm.head.params.get("score.weight")!.dataSync().slice();
    await trainPPO({
      policy,
      critic,
      reference,
      reward: rm,
      prompts,
      eosId: EOS,
      padId: PAD,
      sample: sampleResponses,
      config: parsePPOConfig({ max_steps: 3, batch_size: 8, mini_batch_size: 4, num_ppo_epochs: 2, response_length: 5, value_model: "rm_critic", adaptive_kl: true, ent_coef: 0.01, kl_estimator: "k3", whiten_rewards: true, learning_rate: 3e-5, lr_scheduler_type: "linear" }),
      ctx: { ...ctx, reportMetrics: (step, m) => { ctx.reportMetrics(step, m); counts.push(tf.memory().numTensors); } },
      onMinibatch: (info) => {
        if (info.epoch === 0 && info.minibatch === 0) firstRatios.push(info.ratioMin, info.ratioMax);
      },
    });
    expect(new Set(counts).size).toBe(1);
    expect(firstRatios.every((r) => r === 1)).toBe(true);
    // With TRL's linear schedule the rate decays to 0 over max_steps rollouts: 3 iterations → 1, 2/3, 1/3.
    expect(ctx.metrics.map((m) => m.lr! / 3e-5)).toEqual([1, 2 / 3, 1 / 3].map((x) => expect.closeTo(x, 10)));
    // The RM is frozen; the critic (initialised from the same weights) trains.
    expect(Array.from(rm.head.params.get("score.weight")!.dataSync())).toEqual(Array.from(rmBefore));
    expect(Array.from(critic.head.params.get("score.weight")!.dataSync())).not.toEqual(Array.from(rmBefore));
    for (const m of [policy, reference, rm.gpt, rm.head, critic.gpt, critic.head]) m.dispose();
  });

  it("the adaptive KL controller moves β toward the target by at most 20%·n/horizon", () => {
    const up = new KlController(0.1, true, 6, 100);
    up.update(12, 10); // error clipped to +0.2 → β·(1 + 0.2·10/100)
    expect(up.value).toBeCloseTo(0.1 * 1.02, 10);
    const down = new KlController(0.1, true, 6, 100);
    down.update(5.4, 100); // error −0.1 → β·0.9
    expect(down.value).toBeCloseTo(0.09, 10);
    // At the default horizon and batch size β really moves: about 2% an iteration when the KL is far off target.
    const { kl_horizon, batch_size } = parsePPOConfig({});
    const moving = new KlController(0.05, true, 6, kl_horizon);
    for (let i = 0; i < 20; i++) moving.update(12, batch_size);
    expect(moving.value / 0.05).toBeGreaterThan(1.4);
    const fixed = new KlController(0.1, false, 6, 100);
    fixed.update(100, 100);
    expect(fixed.value).toBe(0.1);
  });
});
