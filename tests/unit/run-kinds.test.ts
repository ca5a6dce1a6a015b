// The run-kind table and the trainer configs it holds: every kind declared once with a trainer module beside it,
// every config field with a default and a reason, TRL's names on every trainer, and one-line errors that name the
// key, the rule and, for a typo, the key that was meant.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RENAMED_KEYS, closestKey } from "../../server/services/run-kinds/config-schema";
import { kindForVerb, parseRunConfig, RUN_KIND_DESCRIPTORS, RUN_KINDS, runConfigFields, TRAINING_KINDS } from "../../server/services/run-kinds/index";

const ROOT = path.resolve(__dirname, "../..");

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

describe("run kinds", () => {
  it("every kind has its trainer at trainer/algorithms/<kind>.ts and a distinct CLI verb", () => {
    for (const kind of RUN_KINDS) expect(fs.existsSync(path.join(ROOT, "trainer/algorithms", `${kind}.ts`)), kind).toBe(true);
    const verbs = RUN_KINDS.map((k) => RUN_KIND_DESCRIPTORS[k].cliVerb);
    expect(new Set(verbs).size).toBe(verbs.length);
    expect(kindForVerb("rm")).toBe("reward");
    expect(kindForVerb("nope")).toBeUndefined();
  });

  it("every config field has a default and a reason", () => {
    for (const kind of RUN_KINDS) {
      const fields = runConfigFields(kind);
      // Trainers have a real config; a kind that trains nothing (score) has only what it needs.
      expect(fields.length).toBeGreaterThan(RUN_KIND_DESCRIPTORS[kind].outputKind ? 5 : 1);
      for (const f of fields) {
        expect(f.description.length, `${kind}.${f.key}`).toBeGreaterThan(10);
        expect(f.default, `${kind}.${f.key}`).not.toBeUndefined();
      }
      // The parsed empty config is exactly the fields' defaults.
      expect(parseRunConfig(kind, {})).toEqual(Object.fromEntries(fields.map((f) => [f.key, f.default])));
    }
  });

  it("uses TRL's names on every trainer, and none of the old ones", () => {
    const shared = ["learning_rate", "max_steps", "adam_epsilon", "max_grad_norm", "seed", "batch_size"];
    for (const kind of TRAINING_KINDS.filter((k) => RUN_KIND_DESCRIPTORS[k].outputKind)) {
      const keys = runConfigFields(kind).map((f) => f.key);
      for (const k of shared) expect(keys, `${kind} lacks ${k}`).toContain(k);
      for (const old of Object.keys(RENAMED_KEYS)) expect(keys, `${kind} still has ${old}`).not.toContain(old);
    }
    expect(parseRunConfig("ppo", {}).beta).toBe(0.3);
    expect(parseRunConfig("dpo", {}).beta).toBe(0.25);
    expect(parseRunConfig("ppo", {})).toMatchObject({ gamma: 1, lam: 0.95, cliprange: 0.2, vf_coef: 0.1, adam_epsilon: 1e-5 });
  });

  it("rejects bad values in one line naming the key and the rule", () => {
    expect(oneLine(() => parseRunConfig("ppo", { beta: -0.1 }))).toBe("ppo config: beta must be at least 0 (got -0.1)");
    expect(oneLine(() => parseRunConfig("dpo", { beta: -1 }))).toBe("dpo config: beta must be greater than 0 (got -1)");
    expect(oneLine(() => parseRunConfig("reward", { min_completions: 1 }))).toBe("reward config: min_completions must be at least 2 (got 1)");
    expect(oneLine(() => parseRunConfig("dpo", { num_train_epochs: "2" }))).toBe('dpo config: num_train_epochs must be a number (got "2")');
    expect(oneLine(() => parseRunConfig("sft", { batch_size: 2.5 }))).toBe("sft config: batch_size must be an integer (got 2.5)");
    expect(oneLine(() => parseRunConfig("ppo", { value_model: "critic" }))).toBe('ppo config: value_model must be one of rm_critic, policy_head (got "critic")');
    expect(oneLine(() => parseRunConfig("sft", { group_by_length: "yes" }))).toBe('sft config: group_by_length must be true or false (got "yes")');
    expect(oneLine(() => parseRunConfig("ppo", { batch_size: 4, mini_batch_size: 8 }))).toBe("ppo config: mini_batch_size (8) must not exceed batch_size (4)");
    expect(oneLine(() => parseRunConfig("reward", [1]))).toBe("reward config must be a JSON object");
  });

  it("an unknown key suggests the key that was meant, old names included", () => {
    expect(oneLine(() => parseRunConfig("ppo", { kl_coeff: 0.1 }))).toBe("ppo config: unknown key 'kl_coeff'; did you mean 'beta'?");
    expect(oneLine(() => parseRunConfig("sft", { lr: 1e-3 }))).toBe("sft config: unknown key 'lr'; did you mean 'learning_rate'?");
    expect(oneLine(() => parseRunConfig("reward", { learning_rat: 1e-3 }))).toBe("reward config: unknown key 'learning_rat'; did you mean 'learning_rate'?");
    expect(oneLine(() => parseRunConfig("dpo", { zzzzzz: 1 }))).toMatch(/^dpo config: unknown key 'zzzzzz'; known keys: beta, loss_type, label_smoothing, /);
    expect(closestKey("max_step", ["max_steps", "max_length"])).toBe("max_steps");
  });
});
