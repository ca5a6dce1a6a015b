// GRPO and RLOO: group advantages and losses against hand computations, and a tiny random GPT over 8 tokens
// learning to emit token 3 (the toy reward), with the first step of each rollout at ratio exactly 1, tensor counts
// flat, KL exactly 0 when β and the learning rate are 0, and β following PPO's adaptive controller.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../trainer/backend";
import { GPT } from "../../trainer/model/gpt";
import { memoryContext } from "../../trainer/rl/context";
import { trainGroupPolicy, type GroupAlgorithm } from "../../trainer/rl/group";
import { grpoLoss, rlooLoss } from "../../trainer/rl/losses";
import { grpoAdvantages, rlooAdvantages } from "../../trainer/rl/utils";
import { parseRunConfig, runConfigFields } from "../../server/services/run-kinds/index";
import { EOS, PAD, shape, prompts, toyReward, sampleResponses } from "../support/toy-online";

describe("group advantages (hand computations)", () => {
  // Two groups of K = 3: [1, 2, 3] (mean 2, sample std 1) and [0, 0, 3] (mean 1, sample std √3).
  const rewards = [1, 2, 3, 0, 0, 3];
  it("GRPO, scale_rewards group: (r − group mean) / (group std + 1e-4)", () => {
    const s3 = Math.sqrt(3);
    const want = [-1 / 1.0001, 0, 1 / 1.0001, -1 / (s3 + 1e-4), -1 / (s3 + 1e-4), 2 / (s3 + 1e-4)];
    grpoAdvantages(rewards, 3, "group").forEach((a, i) => expect(a).toBeCloseTo(want[i]!, 10));
  });
  it("GRPO, scale_rewards batch and none", () => {
    // batch: mean 1.5, sample variance (0.25 + 0.25 + 2.25 + 2.25 + 2.25 + 2.25) / 5 = 1.9
    const std = Math.sqrt(1.9);
    const want = [-1, 0, 1, -1, -1, 2].map((c) => c / (std + 1e-4));
    grpoAdvantages(rewards, 3, "batch").forEach((a, i) => expect(a).toBeCloseTo(want[i]!, 10));
    expect(grpoAdvantages(rewards, 3, "none")).toEqual([-1, 0, 1, -1, -1, 2]);
  });
  it("RLOO: r − mean of the other K − 1 in the group", () => {
    // group 1: 1 − 2.5, 2 − 2, 3 − 1.5; group 2: 0 − 1.5, 0 − 1.5, 3 − 0
    expect(rlooAdvantages(rewards, 3, false)).toEqual([-1.5, 0, 1.5, -1.5, -1.5, 3]);
    const norm = rlooAdvantages(rewards, 3, true);
    expect(norm.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 10);
  });
  it("refuses rewards that do not form whole groups", () => {
    expect(() => grpoAdvantages([1, 2, 3], 2, "group")).toThrow(/groups of 2/);
  });
});

describe("group losses (hand computations)", () => {
  it("GRPO: −min(ρA, clip(ρ)A) + β·k3, per loss_type", () => {
    // Row 0: two tokens, ρ = e^0.5 ≈ 1.6487 (clipped to 1.2 for A = 1 > 0) and ρ = 1; row 1: one token, ρ = e^−0.5, A = −1.
    const lp = tf.tensor2d([[0.5, 0], [-0.5, 0]]);
    const old = tf.tensor2d([[0, 0], [0, 0]]);
    const ref = tf.tensor2d([[0, 0], [0, 0]]);
    const mask = tf.tensor2d([[1, 1], [1, 0]]);
    const adv = tf.tensor1d([1, -1]);
    const r1 = Math.exp(-0.5);
    // token losses: row 0: −min(1.6487, 1.2) = −1.2, −1; row 1: −min(−0.6065, −0.8) = 0.8
    const k3 = (d: number) => Math.exp(d) - d - 1; // d = ref − logπ
    const beta = 0.1;
    const t = [-1.2 + beta * k3(-0.5), -1 + beta * k3(0), 0.8 + beta * k3(0.5)];
    const opts = { epsilon: 0.2, beta, maxCompletionLength: 4 };
    expect(grpoLoss(lp as tf.Tensor2D, old as tf.Tensor2D, ref as tf.Tensor2D, adv, mask as tf.Tensor2D, { ...opts, lossType: "grpo" }).loss.dataSync()[0]).toBeCloseTo(((t[0]! + t[1]!) / 2 + t[2]!) / 2, 5);
    const dapo = grpoLoss(lp as tf.Tensor2D, old as tf.Tensor2D, ref as tf.Tensor2D, adv, mask as tf.Tensor2D, { ...opts, lossType: "dapo" });
    expect(dapo.loss.dataSync()[0]).toBeCloseTo((t[0]! + t[1]! + t[2]!) / 3, 5);
    expect(grpoLoss(lp as tf.Tensor2D, old as tf.Tensor2D, ref as tf.Tensor2D, adv, mask as tf.Tensor2D, { ...opts, lossType: "dr_grpo" }).loss.dataSync()[0]).toBeCloseTo((t[0]! + t[1]! + t[2]!) / (2 * 4), 5);
    // Row 0's first token is clipped high (ρ > 1.2, A > 0); row 1's is clipped low (ρ = 0.61 < 0.8, A < 0).
    expect(dapo.clip.high.dataSync()[0]).toBeCloseTo(1 / 3, 6);
    expect(dapo.clip.low.dataSync()[0]).toBeCloseTo(1 / 3, 6);
    expect(dapo.kl.dataSync()[0]).toBeCloseTo((k3(-0.5) + k3(0) + k3(0.5)) / 3, 5);
    expect(r1).toBeLessThan(0.8);
  });
  it("RLOO: one ratio per sequence, exp(Σ logπ − Σ logπ_old)", () => {
    const lp = tf.tensor2d([[0.05, 0.05], [-0.3, 9]]) as tf.Tensor2D; // row 1's second token is padding
    const mask = tf.tensor2d([[1, 1], [1, 0]]) as tf.Tensor2D;
    const out = rlooLoss(lp, tf.tensor1d([0, 0]), tf.tensor1d([2, -1]), mask, 0.2);
    // row 0: ρ = e^0.1 = 1.105 (inside the clip): −2·1.105; row 1: ρ = e^−0.3 = 0.741 → clipped 0.8: −min(−0.741, −0.8) = 0.8
    expect(out.loss.dataSync()[0]).toBeCloseTo((-2 * Math.exp(0.1) + 0.8) / 2, 5);
    expect(out.clip.low.dataSync()[0]).toBeCloseTo(0.5, 6);
  });
});


async function meanToyReward(policy: GPT, seed: number): Promise<number> {
  const many = Array.from({ length: 8 }, () => prompts).flat();
  const out = await sampleResponses(policy, many, { maxNewTokens: 6, temperature: 1, seed });
  const scores = toyReward(out.map((r) => (r.includes(EOS) ? r.slice(0, r.indexOf(EOS) + 1) : r)));
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

function algorithmFor(kind: "grpo" | "rloo", raw: Record<string, unknown>): GroupAlgorithm {
  return kind === "grpo" ? { kind, config: parseRunConfig("grpo", raw) } : { kind, config: parseRunConfig("rloo", raw) };
}

describe.each(["grpo", "rloo"] as const)("%s on a toy reward", (kind) => {
  it("raises the reward with a fixed seed; the first step of each rollout has ratio exactly 1; tensor counts stay flat", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 1 });
    const reference = new GPT(shape, { seed: 1 });
    const before = await meanToyReward(policy, 99);
    const ctx = memoryContext();
    const firstRatios: number[] = [];
    const counts: number[] = [];
    await trainGroupPolicy({
      policy,
      reference,
      rewardFn: toyReward,
      prompts,
      eosId: EOS,
      padId: PAD,
      sample: sampleResponses,
      // TRL's β: the toy reward lies in [0, 1], so the library's starting β (chosen for RM scores of std 1) would
      // outweigh it.
      algorithm: algorithmFor(kind, { max_steps: 12, batch_size: 16, num_generations: 4, steps_per_generation: 2, learning_rate: 1e-2, max_completion_length: 6, missing_eos_penalty: 0, seed: 3, beta: kind === "grpo" ? 0.04 : 0.05 }),
      ctx: { ...ctx, reportMetrics: (step, m) => { ctx.reportMetrics(step, m); counts.push(tf.memory().numTensors); } },
      onStep: (info) => {
        if (info.pass === 0 && info.step % 2 === 0) firstRatios.push(info.ratioMin, info.ratioMax);
      },
    });
    const after = await meanToyReward(policy, 99);
    expect(firstRatios).toHaveLength(24);
    expect(firstRatios.every((r) => r === 1)).toBe(true);
    expect(after).toBeGreaterThan(before + 0.3); // 0.13 → 0.68 (GRPO) and 0.66 (RLOO) when written
    expect(new Set(counts).size).toBe(1);
    const last = ctx.metrics.at(-1)!;
    for (const name of ["reward", "reward_std", "kl", "entropy", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "completions/mean_length", "objective/kl", "train/loss"])
      expect(Number.isFinite(last[name]), name).toBe(true);
    policy.dispose();
    reference.dispose();
  });

  it("KL to the reference stays exactly 0 with beta 0 and learning rate 0", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 2 });
    const reference = new GPT(shape, { seed: 2 });
    const ctx = memoryContext();
    await trainGroupPolicy({
      policy,
      reference,
      rewardFn: toyReward,
      prompts,
      eosId: EOS,
      padId: PAD,
      sample: sampleResponses,
      // A config's learning_rate must be positive; 1e-300 moves no float32 weight, which is a learning rate of 0.
      algorithm: algorithmFor(kind, { max_steps: 2, batch_size: 8, num_generations: 2, beta: 0, learning_rate: 1e-300, lr_scheduler_type: "constant", max_completion_length: 5 }),
      ctx,
    });
    for (const m of ctx.metrics) {
      expect(m["objective/kl"]).toBe(0);
      expect(m.kl).toBe(0);
    }
    policy.dispose();
    reference.dispose();
  });
});

describe("bad group configs are one-line errors", () => {
  const oneLine = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  it("num_generations 1, negative beta, batch_size not a multiple of num_generations", () => {
    expect(oneLine(() => parseRunConfig("grpo", { num_generations: 1 }))).toBe("grpo config: num_generations must be at least 2 (got 1)");
    expect(oneLine(() => parseRunConfig("rloo", { beta: -0.1 }))).toBe("rloo config: beta must be at least 0 (got -0.1)");
    expect(oneLine(() => parseRunConfig("grpo", { batch_size: 10, num_generations: 4 }))).toBe(
      "grpo config: batch_size (10) must be a multiple of num_generations (4): each prompt's group of completions stays whole",
    );
    expect(oneLine(() => parseRunConfig("rloo", { loss_type: "dapo" }))).toMatch(/^rloo config: unknown key 'loss_type'/);
  });
});

describe.each(["grpo", "rloo"] as const)("%s adaptive beta (PPO's controller and keys)", (kind) => {
  it("has PPO's controller keys in its schema, each with a reason", () => {
    const fields = runConfigFields(kind);
    const ppoKeys = runConfigFields("ppo").map((f) => f.key);
    for (const key of ["beta", "adaptive_kl", "target_kl", "kl_horizon"]) {
      const field = fields.find((f) => f.key === key);
      expect(field, key).toBeDefined();
      expect(field!.description.length, key).toBeGreaterThan(20);
      expect(ppoKeys).toContain(key);
    }
    expect(parseRunConfig(kind, {}).adaptive_kl).toBe(true);
  });

  // The toy run's KL is small but positive once the policy has moved (0 on the first rollout, policy = reference):
  // a target far below it makes β rise after each such rollout, one far above it makes β fall after every rollout.
  it.each([
    [1e-9, "rises"],
    [1e9, "falls"],
  ] as const)("target_kl %s: beta %s with the rollout's KL; fixed when adaptive_kl is off", async (target, direction) => {
    await initBackend("wasm");
    const trace = async (adaptive: boolean) => {
      const policy = new GPT(shape, { seed: 4 });
      const reference = new GPT(shape, { seed: 4 });
      const ctx = memoryContext();
      const raw = { max_steps: 5, batch_size: 8, num_generations: 4, steps_per_generation: 2, learning_rate: 1e-2, max_completion_length: 5, beta: 0.1, target_kl: target, adaptive_kl: adaptive, kl_horizon: 80 };
      await trainGroupPolicy({ policy, reference, rewardFn: toyReward, prompts, eosId: EOS, padId: PAD, sample: sampleResponses, algorithm: algorithmFor(kind, raw), ctx });
      policy.dispose();
      reference.dispose();
      return ctx.metrics.map((m) => ({ beta: m["objective/kl_coef"]!, kl: m["objective/kl"]! }));
    };
    const rows = await trace(true);
    expect(rows[0]!.beta).toBe(0.1);
    // Each rollout's β is the last one's × (1 + clip(KL/target − 1, ±0.2) × 8/80): ×1.02 above the target, ×0.98 below.
    let rises = 0;
    for (let i = 1; i < rows.length; i++) {
      const factor = rows[i - 1]!.kl > target ? 1.02 : 0.98;
      expect(rows[i]!.beta).toBeCloseTo(rows[i - 1]!.beta * factor, 12);
      if (factor > 1) rises++;
    }
    expect(rises).toBe(direction === "rises" ? rows.filter((r, i) => i < rows.length - 1 && r.kl > 0).length : 0);
    if (direction === "rises") expect(rises).toBeGreaterThanOrEqual(2);
    else expect(rows.at(-1)!.beta).toBeCloseTo(0.1 * 0.98 ** 4, 12);
    expect((await trace(false)).map((r) => r.beta)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });
});
