// `rlhf sample` (--out lines, --tasks storing completions and opening ranking tasks), `rlhf models list|import-hf`,
// and the built-in base model's registration at first start.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completions, models, prompts, tasks } from "../../db/schema";
import { BUILTIN_MODEL_DIR, ensureBuiltinModel } from "../../trainer/builtin/index";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let tinyDir: string;

beforeAll(async () => {
  env = cliEnv("rlhf-sample-");
  tinyDir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  await env.withDb(async (db) => {
    await seedDemonstrations(db);
    await registerTiny(db, "tiny", tinyDir);
  });
});
afterAll(() => env.restore());

describe("rlhf sample", () => {
  it("--out writes one {prompt, completions} line per prompt, deterministic for a seed", async () => {
    const file = path.join(env.dir, "prompts.jsonl");
    fs.writeFileSync(file, ['{"prompt":"Say hi."}', '{"prompt":"Say bye."}'].join("\n"));
    const out = path.join(env.dir, "samples.jsonl");
    const r = await rlhf("sample", "--model", "tiny", "--prompts", file, "--k", "3", "--max-new-tokens", "6", "--seed", "5", "--out", out, "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ prompts: 2, k: 3, completions: 6, stored: 0, tasks_opened: 0 });
    const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.prompt)).toEqual(["Say hi.", "Say bye."]);
    for (const l of lines) expect(l.completions).toHaveLength(3);
    const again = await rlhf("sample", "--model", tinyDir, "--prompts", file, "--k", "3", "--max-new-tokens", "6", "--seed", "5", "--json");
    expect(again.json!.samples.map((s: { completions: string[] }) => s.completions)).toEqual(lines.map((l) => l.completions));
  });

  it("--tasks stores completions with model, sampling params and logprob sum, and opens one ranking task per prompt", async () => {
    const r = await rlhf("sample", "--model", "tiny", "--split", "test", "--project", "Tiny", "--k", "2", "--max-new-tokens", "5", "--tasks", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ prompts: 3, completions: 6, stored: 6, tasks_opened: 3 });
    await env.withDb(async (db) => {
      const tiny = (await db.select().from(models)).find((m) => m.name === "tiny")!;
      const stored = await db.select().from(completions);
      expect(stored).toHaveLength(6);
      for (const c of stored) {
        expect(c).toMatchObject({ origin: "model", modelId: tiny.id });
        expect(c.samplingParams).toMatchObject({ temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 5, seed: 0 });
        expect(typeof c.logprobSum).toBe("number");
        expect(c.logprobSum!).toBeLessThan(0);
      }
      const rank = (await db.select().from(tasks)).filter((t) => t.kind === "rank");
      expect(rank).toHaveLength(3);
      const testPrompts = new Set((await db.select().from(prompts)).filter((p) => p.split === "test").map((p) => p.id));
      for (const t of rank) {
        expect(testPrompts.has(t.promptId)).toBe(true);
        expect(t.completionIds).toHaveLength(2);
      }
    });
  });

  it("rejects bad sampling input in one line", async () => {
    const r1 = await rlhf("sample", "--model", "tiny", "--split", "test", "--k", "1", "--tasks", "--json");
    expect(r1.json!.error).toMatch(/need --k between 2 and 16/);
    const r2 = await rlhf("sample", "--model", "ghost", "--split", "test", "--project", "Tiny", "--k", "2", "--json");
    expect(r2.json!.error).toMatch(/ghost: no such model/);
    const r3 = await rlhf("sample", "--model", "tiny", "--k", "2", "--json");
    expect(r3.json!.error).toMatch(/exactly one of --prompts FILE.jsonl, --split/);
    expect(errorLine(r3)).not.toBe("");
  });
});

describe("rlhf models", () => {
  it("import-hf validates, copies under RLHF_HOME/models/N and registers; list shows it", async () => {
    const r = await rlhf("models", "import-hf", tinyDir, "--name", "imported", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ model: "imported", kind: "policy", tokenizer: "byte", n_params: expect.any(Number) });
    expect(fs.existsSync(path.join(env.dir, "models", "imported", "model.safetensors"))).toBe(true);
    const list = await rlhf("models", "list", "--json");
    expect(list.json!.models.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(["tiny", "imported"]));
    const dup = await rlhf("models", "import-hf", tinyDir, "--name", "imported", "--json");
    expect(dup.json!.error).toMatch(/already exists/);
    const bad = path.join(env.dir, "bad-hf");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "config.json"), "{}");
    const before = await env.withDb(async (db) => (await db.select().from(models)).length);
    const b = await rlhf("models", "import-hf", bad, "--name", "bad", "--json");
    expect(b.code).not.toBe(0);
    expect(b.json!.error).toMatch(/model\.safetensors is missing/);
    expect(await env.withDb(async (db) => (await db.select().from(models)).length)).toBe(before);
    expect(fs.existsSync(path.join(env.dir, "models", "bad"))).toBe(false);
  });

  it("ensureBuiltinModel registers the shipped checkpoint as 'base' once, without tfjs", async () => {
    await env.withDb(async (db) => {
      const shipped = fs.existsSync(path.join(BUILTIN_MODEL_DIR, "model.safetensors"));
      const row = await ensureBuiltinModel(db, shipped ? BUILTIN_MODEL_DIR : tinyDir);
      expect(row).toMatchObject({ name: "base", kind: "policy", tokenizer: shipped ? "words" : "byte" });
      expect((await ensureBuiltinModel(db))!.id).toBe(row!.id);
      expect((await ensureBuiltinModel(db, path.join(env.dir, "nowhere")))!.id).toBe(row!.id);
    });
    const src = fs.readFileSync(path.resolve(__dirname, "../../server/services/builtin-model.ts"), "utf8") + fs.readFileSync(path.resolve(__dirname, "../../trainer/builtin/paths.ts"), "utf8");
    expect(src).not.toMatch(/@tensorflow|\.\.\/(model|checkpoint|backend)\//);
  });
});
