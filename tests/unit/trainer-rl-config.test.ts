// Bad RM/PPO/DPO configs fail with one-line errors that name the key and the rule.
import { describe, expect, it } from "vitest";
import { parseRewardConfig, REWARD_DEFAULTS } from "../../trainer/rl/reward-config";
import { parsePPOConfig, PPO_DEFAULTS } from "../../trainer/rl/ppo-config";
import { parseDPOConfig, DPO_DEFAULTS } from "../../trainer/rl/dpo-config";

const oneLine = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    const msg = (err as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  throw new Error("expected an error");
};

describe("RL configs", () => {
  it("defaults are what the design says", () => {
    expect(PPO_DEFAULTS).toMatchObject({ gamma: 1, lam: 0.95, cliprange: 0.2, vf_coef: 0.1, adam_eps: 1e-5 });
    expect(DPO_DEFAULTS.beta).toBe(0.1);
    expect(parsePPOConfig(undefined)).toEqual(PPO_DEFAULTS);
    expect(parseRewardConfig({ epochs: 3 }).epochs).toBe(3);
  });
  it("negative β is rejected (PPO kl_coef, DPO beta)", () => {
    expect(oneLine(() => parsePPOConfig({ kl_coef: -0.1 }))).toBe("ppo config: kl_coef must be at least 0 (got -0.1)");
    expect(oneLine(() => parseDPOConfig({ beta: -1 }))).toBe("dpo config: beta must be greater than 0 (got -1)");
  });
  it("K < 2 is rejected", () => {
    expect(oneLine(() => parseRewardConfig({ min_completions: 1 }))).toBe("reward config: min_completions must be at least 2 (got 1)");
  });
  it("unknown keys, wrong types and bad choices are rejected", () => {
    expect(oneLine(() => parsePPOConfig({ kl_coeff: 0.1 }))).toMatch(/^ppo config: unknown key 'kl_coeff' \(known keys: iterations, /);
    expect(oneLine(() => parseDPOConfig({ epochs: "2" }))).toBe('dpo config: epochs must be a number (got "2")');
    expect(oneLine(() => parsePPOConfig({ value_model: "critic" }))).toBe('ppo config: value_model must be one of policy_head, rm_critic (got "critic")');
    expect(oneLine(() => parsePPOConfig({ batch_size: 4, mini_batch_size: 8 }))).toMatch(/mini_batch_size \(8\) must not exceed batch_size \(4\)/);
    expect(oneLine(() => parseRewardConfig([1]))).toBe("reward config must be a JSON object");
  });
});
