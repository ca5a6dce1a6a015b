// The RL commands end to end on a tiny random model: import rankings → `rlhf train rm` → `rlhf eval rm` →
// `rlhf train ppo` → `rlhf train dpo`, each with --json, plus the one-line errors for bad configs and models.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-rl-cli-"));
process.env.DATABASE_URL = path.join(work, "rlhf.db");
process.env.RLHF_HOME = work;
process.env.RLHF_QUIET_BACKEND = "1";
process.env.RLHF_BACKEND = "wasm";

const { rlhf: runCli } = await import("../support/cli");
const { getDb, closeDb } = await import("../../db/index");
const { createProject } = await import("../../server/services/projects");

/** Runs `rlhf ARGS --json` in-process (tests/support/cli.ts); returns the exit code and the JSON line. */
async function rlhf(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const r = await runCli(...args, "--json");
  return { code: r.code, out: r.json ?? {} };
}

const baseDir = path.join(work, "tiny-base");
const file = (name: string, body: string) => {
  fs.writeFileSync(path.join(work, name), body);
  return path.join(work, name);
};

beforeAll(async () => {
  const { initBackend } = await import("../../trainer/backend/index");
  const { GPT } = await import("../../trainer/model/gpt");
  const { saveCheckpoint } = await import("../../trainer/checkpoint/index");
  await initBackend("wasm");
  const gpt = new GPT({ vocab_size: 260, n_positions: 96, n_embd: 32, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 3 });
  await saveCheckpoint(baseDir, gpt, { tokenizer: "byte" });
  gpt.dispose();
  await createProject(getDb(), { name: "rl", k: 3, allowTies: true }, null);
  await closeDb();
  const prompts = Array.from({ length: 12 }, (_, i) => ({ prompt: `Say something ${i}`, split: i < 9 ? "train" : "test" }));
  expect((await rlhf("prompts", "import", file("prompts.jsonl", prompts.map((p) => JSON.stringify(p)).join("\n")), "--project", "rl")).code).toBe(0);
  const rankings = prompts.map((p) => ({ prompt: p.prompt, completions: ["Yes!", "Sure, fine.", "no"], ranking: [[0], [1, 2]] }));
  expect((await rlhf("import", "rankings", file("rankings.jsonl", rankings.map((r) => JSON.stringify(r)).join("\n")), "--project", "rl")).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await closeDb();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("rlhf train rm / eval rm / train ppo / train dpo", () => {
  it("trains a reward model and reports held-out accuracy", async () => {
    const cfg = file("rm.json", JSON.stringify({ num_train_epochs: 2, learning_rate: 3e-3, normalize_samples: 8 }));
    const { code, out } = await rlhf("train", "rm", "--base", baseDir, "--config", cfg, "--name", "rm-tiny");
    expect(String(out.error ?? "")).toBe("");
    expect(code).toBe(0);
    expect(out).toMatchObject({ ok: true, model: "rm-tiny", status: "succeeded" });
    expect(typeof out.model_id).toBe("string");
    const evalOut = await rlhf("eval", "rm", "--model", "rm-tiny");
    expect(evalOut.code).toBe(0);
    expect(evalOut.out.pairs).toBe(6); // 3 test prompts × 2 pairs ([0] > [1, 2])
    expect(typeof evalOut.out.accuracy).toBe("number");
    const pairsFile = file("pairs.jsonl", JSON.stringify({ prompt: "Hi", chosen: "Yes!", rejected: "no" }));
    expect((await rlhf("eval", "rm", "--model", "rm-tiny", "--data", pairsFile)).out.pairs).toBe(1);
  });

  it("runs PPO and prints the model id and the last reward_mean and kl", async () => {
    const cfg = file("ppo.json", JSON.stringify({ max_steps: 2, batch_size: 4, mini_batch_size: 2, num_ppo_epochs: 2, response_length: 8 }));
    const { code, out } = await rlhf("train", "ppo", "--base", baseDir, "--reward", "rm-tiny", "--config", cfg, "--name", "ppo-tiny");
    expect(code).toBe(0);
    expect(out).toMatchObject({ ok: true, model: "ppo-tiny" });
    expect(typeof out.model_id).toBe("string");
    expect(Number.isFinite(out.reward_mean)).toBe(true);
    expect(Number.isFinite(out.kl)).toBe(true);
    const { runMetricSeries } = await import("../../server/services/runs");
    const series = await runMetricSeries(getDb(), String(out.run_id));
    for (const name of ["objective/scores", "objective/kl", "policy/entropy_avg", "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/explained_variance"])
      expect(series[name]?.length).toBe(2);
    await closeDb();
  });

  it.each(["grpo", "rloo"])("runs %s and prints the model id and the last reward_mean and kl; TRL's metrics are charted", async (kind) => {
    const cfg = file(`${kind}.json`, JSON.stringify({ max_steps: 2, batch_size: 4, num_generations: 2, max_completion_length: 8 }));
    const { code, out } = await rlhf("train", kind, "--base", baseDir, "--reward", "rm-tiny", "--config", cfg, "--name", `${kind}-tiny`);
    expect(String(out.error ?? "")).toBe("");
    expect(code).toBe(0);
    expect(out).toMatchObject({ ok: true, model: `${kind}-tiny` });
    expect(Number.isFinite(out.reward_mean)).toBe(true);
    expect(Number.isFinite(out.kl)).toBe(true);
    const { runMetricSeries } = await import("../../server/services/runs");
    const series = await runMetricSeries(getDb(), String(out.run_id));
    for (const name of ["reward", "reward_std", "kl", "entropy", "clip_ratio/region_mean", "completions/mean_length", "objective/kl", "objective/kl_coef"]) expect(series[name]?.length, name).toBe(2);
    await closeDb();
  });

  it("runs DPO and reports loss, margin and accuracy", async () => {
    const cfg = file("dpo.json", JSON.stringify({ num_train_epochs: 1, batch_size: 4 }));
    const { code, out } = await rlhf("train", "dpo", "--base", baseDir, "--config", cfg, "--name", "dpo-tiny");
    expect(code).toBe(0);
    for (const key of ["loss", "reward_margin", "accuracy"]) expect(Number.isFinite(out[key])).toBe(true);
  });
});

describe("bad input gives one-line errors", () => {
  it("negative β, K < 2 and unknown keys", async () => {
    const neg = await rlhf("train", "dpo", "--base", baseDir, "--config", file("neg.json", JSON.stringify({ beta: -0.1 })));
    expect(neg.code).toBe(2);
    expect(neg.out.error).toBe("dpo config: beta must be greater than 0 (got -0.1)");
    const k = await rlhf("train", "rm", "--base", baseDir, "--config", file("k.json", JSON.stringify({ min_completions: 1 })));
    expect(k.out.error).toBe("reward config: min_completions must be at least 2 (got 1)");
    const unknown = await rlhf("train", "ppo", "--base", baseDir, "--reward", "rm-tiny", "--config", file("u.json", JSON.stringify({ kl_coef: 0.1 })));
    expect(unknown.out.error).toBe("ppo config: unknown key 'kl_coef'; did you mean 'beta'?");
  });
  it("GRPO and RLOO: num_generations 1, negative β, a batch that splits a group, an RM with another tokenizer; no run is created", async () => {
    const { registerModel } = await import("../../server/services/models");
    const { listRuns } = await import("../../server/services/runs");
    // Registered as a GPT-2-tokenizer RM (its own directory: a registered path would stand for --base too).
    const gpt2Dir = path.join(work, "rm-gpt2");
    fs.cpSync(baseDir, gpt2Dir, { recursive: true });
    await registerModel(getDb(), { name: "rm-gpt2", kind: "reward", path: gpt2Dir, tokenizer: "gpt2" });
    const runsBefore = (await listRuns(getDb(), {})).length;
    await closeDb();
    const cases: Array<[string, unknown, string, string]> = [
      ["grpo", { num_generations: 1 }, "rm-tiny", "grpo config: num_generations must be at least 2 (got 1)"],
      ["rloo", { beta: -1 }, "rm-tiny", "rloo config: beta must be at least 0 (got -1)"],
      ["grpo", { batch_size: 6, num_generations: 4 }, "rm-tiny", "grpo config: batch_size (6) must be a multiple of num_generations (4): each prompt's group of completions stays whole"],
    ];
    for (const [kind, config, reward, error] of cases) {
      const r = await rlhf("train", kind, "--base", baseDir, "--reward", reward, "--config", file("bad.json", JSON.stringify(config)));
      expect(r.code).toBe(2);
      expect(r.out.error).toBe(error);
    }
    const tokenizers = await rlhf("train", "rloo", "--base", baseDir, "--reward", "rm-gpt2");
    expect(tokenizers.code).toBe(2);
    expect(String(tokenizers.out.error)).toMatch(/uses the 'byte' tokenizer but the reward model 'rm-gpt2' uses 'gpt2': they must match$/);
    expect((await listRuns(getDb(), {})).length).toBe(runsBefore);
    await closeDb();
  });
  it("a reward model that is not a reward model", async () => {
    const asRegistered = await rlhf("train", "ppo", "--base", baseDir, "--reward", "ppo-tiny");
    expect(asRegistered.code).toBe(2);
    expect(String(asRegistered.out.error)).toMatch(/'ppo-tiny' is a policy model, but a reward model is needed here/);
    const asDir = await rlhf("train", "ppo", "--base", baseDir, "--reward", baseDir);
    expect(asDir.code).toBe(1);
    expect(String(asDir.out.error)).toMatch(/is not a reward model/);
    expect(String(asDir.out.error)).not.toContain("\n");
  });
});
