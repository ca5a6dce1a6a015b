// LoRA through the CLI on a tiny random model: `use_peft: true` runs (RM, DPO, GRPO) register adapter models whose
// parent is the base, those models sample and score like full ones, `rlhf models merge` writes a plain checkpoint
// with the same logits, and bad LoRA settings are one-line errors that create no run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-lora-cli-"));
process.env.DATABASE_URL = path.join(work, "rlhf.db");
process.env.RLHF_HOME = work;
process.env.RLHF_QUIET_BACKEND = "1";
process.env.RLHF_BACKEND = "wasm";

const { rlhf: runCli } = await import("../support/cli");
const { getDb, closeDb } = await import("../../db/index");
const { createProject } = await import("../../server/services/projects");
const { findModel, modelDir } = await import("../../server/services/models");
const { listRuns } = await import("../../server/services/runs");

/** Runs `rlhf ARGS --json` in-process (tests/support/cli.ts); returns the exit code and the JSON line. */
async function rlhf(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const r = await runCli(...args, "--json");
  return { code: r.code, out: r.json ?? {} };
}

const file = (name: string, body: unknown) => {
  fs.writeFileSync(path.join(work, name), typeof body === "string" ? body : JSON.stringify(body));
  return path.join(work, name);
};
const LORA = { use_peft: true, lora_r: 4, lora_alpha: 8, lora_dropout: 0 };

beforeAll(async () => {
  const { initBackend } = await import("../../trainer/backend/index");
  const { GPT } = await import("../../trainer/model/gpt");
  const { saveCheckpoint } = await import("../../trainer/checkpoint/index");
  await initBackend("wasm");
  const gpt = new GPT({ vocab_size: 260, n_positions: 96, n_embd: 32, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 3 });
  const dir = path.join(work, "tiny-src");
  await saveCheckpoint(dir, gpt, { tokenizer: "byte" });
  gpt.dispose();
  await createProject(getDb(), { name: "rl", k: 3, allowTies: true }, null);
  await closeDb();
  expect((await rlhf("models", "import-hf", dir, "--name", "tiny")).code).toBe(0);
  const prompts = Array.from({ length: 8 }, (_, i) => ({ prompt: `Say something ${i}`, split: i < 6 ? "train" : "test" }));
  expect((await rlhf("prompts", "import", file("prompts.jsonl", prompts.map((p) => JSON.stringify(p)).join("\n")), "--project", "rl")).code).toBe(0);
  const rankings = prompts.map((p) => ({ prompt: p.prompt, completions: ["Yes!", "Sure, fine.", "no"], ranking: [[0], [1, 2]] }));
  expect((await rlhf("import", "rankings", file("rankings.jsonl", rankings.map((r) => JSON.stringify(r)).join("\n")), "--project", "rl")).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await closeDb();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("LoRA runs through the CLI", () => {
  it("DPO with use_peft registers an adapter model over its base, which samples, scores and merges", async () => {
    const cfg = file("dpo.json", { ...LORA, max_steps: 2, batch_size: 4, learning_rate: 1e-2 });
    const { code, out } = await rlhf("train", "dpo", "--base", "tiny", "--config", cfg, "--name", "dpo-lora");
    expect(String(out.error ?? "")).toBe("");
    expect(code).toBe(0);
    const db = getDb();
    const row = (await findModel(db, "dpo-lora"))!;
    expect(row.parentId).toBe((await findModel(db, "tiny"))!.id);
    expect(row.config).toMatchObject({ adapter: true, base_model: "tiny", lora: { r: 4, lora_alpha: 8 } });
    const dir = modelDir(row);
    expect(fs.existsSync(path.join(dir, "adapter_config.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "adapter_model.safetensors"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "model.safetensors"))).toBe(false);
    const listed = (await rlhf("models", "list")).out.models as Array<{ name: string; adapter: boolean; parent: string | null }>;
    expect(listed.find((m) => m.name === "dpo-lora")).toMatchObject({ adapter: true, parent: "tiny" });

    const gen = await rlhf("generate", "--model", "dpo-lora", "--prompt", "Say something", "--n", "2");
    expect(String(gen.out.error ?? "")).toBe("");
    expect(gen.code).toBe(0);
    const sampled = await rlhf("sample", "--model", "dpo-lora", "--prompts", file("p.jsonl", JSON.stringify({ prompt: "Hi" })), "--k", "2", "--out", path.join(work, "s.jsonl"));
    expect(String(sampled.out.error ?? "")).toBe("");
    expect(sampled.code).toBe(0);

    // The merged checkpoint scores text exactly as base + adapter does, and differs from the base.
    const merged = await rlhf("models", "merge", "dpo-lora", "--name", "dpo-merged");
    expect(String(merged.out.error ?? "")).toBe("");
    expect(merged.code).toBe(0);
    const mergedRow = (await findModel(getDb(), "dpo-merged"))!;
    expect(mergedRow.parentId).toBe(row.id);
    expect(fs.existsSync(path.join(modelDir(mergedRow), "model.safetensors"))).toBe(true);
    const lp = async (model: string) => (await rlhf("logprobs", "--model", model, "--text", "Sure, fine.")).out.logprobs as number[];
    const [adapted, plain, base] = [await lp("dpo-lora"), await lp("dpo-merged"), await lp("tiny")];
    expect(adapted.length).toBeGreaterThan(3);
    adapted.forEach((v, i) => expect(Math.abs(v - plain[i]!)).toBeLessThan(1e-5));
    expect(adapted.some((v, i) => Math.abs(v - base[i]!) > 1e-4)).toBe(true);
    // A PEFT adapter directory a team brings imports as an adapter model over its (registered) base.
    const imported = await rlhf("models", "import-hf", dir, "--name", "dpo-imported");
    expect(String(imported.out.error ?? "")).toBe("");
    expect(await findModel(getDb(), "dpo-imported")).toMatchObject({ parentId: (await findModel(getDb(), "tiny"))!.id, config: { adapter: true } });
    (await lp("dpo-imported")).forEach((v, i) => expect(Math.abs(v - adapted[i]!)).toBeLessThan(1e-6));
    const hub = path.join(work, "hub-adapter");
    fs.cpSync(dir, hub, { recursive: true });
    const cfgFile = path.join(hub, "adapter_config.json");
    fs.writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgFile, "utf8")), base_model_name_or_path: "gpt2" }));
    const fromHub = await rlhf("models", "import-hf", hub, "--name", "hub-adapter");
    expect(fromHub.code).not.toBe(0);
    expect(String(fromHub.out.error)).toMatch(/its base model gpt2 is not a checkpoint directory here; point base_model_name_or_path at the base's directory$/);
    const again = await rlhf("models", "merge", "tiny", "--name", "tiny-merged");
    expect(again.code).not.toBe(0);
    expect(String(again.out.error)).toMatch(/not a LoRA adapter/);
  });

  it("an RM with use_peft (adapters + head) serves as GRPO's reward, and GRPO with use_peft registers an adapter", async () => {
    const rm = await rlhf("train", "rm", "--base", "tiny", "--config", file("rm.json", { ...LORA, num_train_epochs: 1, learning_rate: 3e-3, normalize_samples: 4 }), "--name", "rm-lora");
    expect(String(rm.out.error ?? "")).toBe("");
    expect(rm.code).toBe(0);
    expect((await findModel(getDb(), "rm-lora"))!.config).toMatchObject({ adapter: true });
    const scored = await rlhf("eval", "rm", "--model", "rm-lora");
    expect(scored.code).toBe(0);
    // Merged, the RM keeps its head and scores every pair as base + adapter did.
    expect((await rlhf("models", "merge", "rm-lora", "--name", "rm-merged")).code).toBe(0);
    expect((await findModel(getDb(), "rm-merged"))!.kind).toBe("reward");
    const mergedScore = await rlhf("eval", "rm", "--model", "rm-merged");
    expect(mergedScore.out.accuracy).toBe(scored.out.accuracy);
    expect(Math.abs(Number(mergedScore.out.loss) - Number(scored.out.loss))).toBeLessThan(1e-5);
    const cfg = file("grpo.json", { ...LORA, max_steps: 2, batch_size: 4, num_generations: 2, steps_per_generation: 1, max_completion_length: 6 });
    const { code, out } = await rlhf("train", "grpo", "--base", "tiny", "--reward", "rm-lora", "--config", cfg, "--name", "grpo-lora");
    expect(String(out.error ?? "")).toBe("");
    expect(code).toBe(0);
    const row = (await findModel(getDb(), "grpo-lora"))!;
    expect(row.parentId).toBe((await findModel(getDb(), "tiny"))!.id);
    expect(row.config).toMatchObject({ adapter: true });
    expect((await rlhf("generate", "--model", "grpo-lora", "--prompt", "Hi")).code).toBe(0);
  });

  it("PPO with use_peft (LoRA critic over the RM's weights) and SFT with use_peft register adapter models", async () => {
    const ppo = await rlhf("train", "ppo", "--base", "tiny", "--reward", "rm-lora", "--config", file("ppo.json", { ...LORA, max_steps: 1, batch_size: 4, mini_batch_size: 2, num_ppo_epochs: 1, response_length: 6 }), "--name", "ppo-lora");
    expect(String(ppo.out.error ?? "")).toBe("");
    expect(ppo.code).toBe(0);
    expect((await findModel(getDb(), "ppo-lora"))!.config).toMatchObject({ adapter: true });
    const demos = Array.from({ length: 6 }, (_, i) => ({ prompt: `Say ${i}`, completion: `Sure: ${i}.` }));
    const imported = await rlhf("import", "demonstrations", file("demos.jsonl", demos.map((d) => JSON.stringify(d)).join("\n")), "--project", "rl");
    expect(String(imported.out.error ?? "")).toBe("");
    const sft = await rlhf("train", "sft", "--base", "ppo-lora", "--config", file("sft.json", { ...LORA, max_steps: 2, batch_size: 3 }), "--name", "sft-on-adapter");
    expect(String(sft.out.error ?? "")).toBe("");
    expect(sft.code).toBe(0);
    // An adapter trained on an adapter model: its parent is that model, and it loads as base + both adapters.
    const row = (await findModel(getDb(), "sft-on-adapter"))!;
    expect(row.parentId).toBe((await findModel(getDb(), "ppo-lora"))!.id);
    expect((await rlhf("generate", "--model", "sft-on-adapter", "--prompt", "Hi")).code).toBe(0);
  });

  it("lora_r 0 and an unknown target module are one-line config errors, and no run is created", async () => {
    const before = (await listRuns(getDb(), {})).length;
    const zero = await rlhf("train", "sft", "--base", "tiny", "--config", file("bad.json", { use_peft: true, lora_r: 0 }));
    expect(zero.code).not.toBe(0);
    expect(zero.out.error).toBe("sft config: lora_r must be at least 1 (got 0)");
    const unknown = await rlhf("train", "dpo", "--base", "tiny", "--config", file("bad2.json", { use_peft: true, lora_target_modules: ["c_attn", "q_proj"] }));
    expect(unknown.code).not.toBe(0);
    expect(unknown.out.error).toBe("dpo config: lora_target_modules: unknown module 'q_proj'; GPT-2's are c_attn, c_proj, c_fc");
    expect((await listRuns(getDb(), {})).length).toBe(before);
  });

  it("a GPT-2-sized full fine-tune of an online run is refused before any run exists, naming use_peft", async () => {
    // Only config.json and a well-formed safetensors header are read before a run is created, so a stub will do.
    const stub = (name: string) => {
      const dir = path.join(work, name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 }));
      const header = Buffer.from(JSON.stringify({ "wte.weight": { dtype: "F32", shape: [1], data_offsets: [0, 4] } }));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      fs.writeFileSync(path.join(dir, "model.safetensors"), Buffer.concat([len, header, Buffer.alloc(4)]));
      return dir;
    };
    const [policy, rm] = [stub("gpt2-stub"), stub("gpt2-rm-stub")];
    const before = (await listRuns(getDb(), {})).length;
    const r = await rlhf("train", "grpo", "--base", policy, "--reward", rm, "--config", file("g.json", { max_steps: 1 }));
    expect(r.code).not.toBe(0);
    expect(String(r.out.error)).toMatch(/^grpo: full fine-tuning a 124M-parameter policy needs about 2\.8 GiB .*; set "use_peft": true to train LoRA adapters/);
    expect((await listRuns(getDb(), {})).length).toBe(before);
  });
});
