// `rlhf train sft` end to end through main([...]) on a temp database with a tiny base model: the new policy is
// registered with its parent and run, metrics are stored, and every kind of bad input is one line with nothing made.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models, runLogs, runMetrics, runs } from "../../db/schema";
import { createProject } from "../../server/services/projects";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let tinyDir: string;
let configFile: string;
const counts = async () => await env.withDb(async (db) => ({ models: (await db.select().from(models)).length, runs: (await db.select().from(runs)).length }));

beforeAll(async () => {
  env = cliEnv("rlhf-sft-cli-");
  tinyDir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  await env.withDb(async (db) => {
    await seedDemonstrations(db);
    await createProject(db, { name: "Empty" }, null);
    await registerTiny(db, "tiny", tinyDir);
  });
  configFile = path.join(env.dir, "sft.json");
  fs.writeFileSync(configFile, JSON.stringify({ learning_rate: 1e-2, batch_size: 3, max_steps: 40, eval_steps: 20, project: "Tiny" }));
});
afterAll(() => env.restore());

describe("rlhf train sft", () => {
  it("trains from the base, registers the policy with parent and run, and prints {model, run, metrics}", async () => {
    const r = await rlhf("train", "sft", "--base", "tiny", "--config", configFile, "--name", "tiny-sft", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ ok: true, model: "tiny-sft", status: "succeeded" });
    expect(typeof r.json!.run_id).toBe("string");
    expect(r.json!["eval/loss"]).toBeLessThan(r.json!["train/loss"] + 5); // present and finite
    expect(r.json!.steps).toBe(40);
    expect(r.json!.eval_examples).toBe(3); // the test split

    await env.withDb(async (db) => {
      const all = await db.select().from(models);
      const base = all.find((m) => m.name === "tiny")!;
      const sft = all.find((m) => m.name === "tiny-sft")!;
      expect(sft).toMatchObject({ kind: "policy", parentId: base.id, runId: r.json!.run_id, tokenizer: "byte" });
      const run = (await db.select().from(runs)).find((x) => x.id === r.json!.run_id)!;
      expect(run).toMatchObject({ kind: "sft", status: "succeeded", outputModelId: sft.id, baseModelId: base.id, progress: 1 });
      const names = new Set((await db.select().from(runMetrics)).map((m) => m.name));
      for (const n of ["train/loss", "eval/loss", "train/lr", "train/grad_norm", "perf/tokens_per_s", "perf/peak_mb"]) expect(names.has(n)).toBe(true);
      const perf = (await db.select().from(runMetrics)).filter((m) => m.name.startsWith("perf/"));
      expect(perf.every((m) => m.value > 0)).toBe(true);
      const logs = (await db.select().from(runLogs)).filter((l) => l.runId === r.json!.run_id).map((l) => l.message);
      expect(logs.some((l) => /^perf: .* tokens\/s, peak RSS \d+ MB$/.test(l))).toBe(true);
      // Saved under RLHF_HOME with the optimizer state, so training can continue from it.
      for (const f of ["config.json", "model.safetensors", "optimizer.safetensors"]) expect(fs.existsSync(path.join(env.dir, sft.path, f))).toBe(true);
    });
  });

  it("trains again from the SFT policy itself (its checkpoint loads as a base)", async () => {
    const r = await rlhf("train", "sft", "--base", "tiny-sft", "--config", configFile, "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json!.model).toBe("tiny-sft-sft");
  });

  describe("bad input: one line, non-zero exit, nothing registered", () => {
    async function expectRejected(argv: string[], message: RegExp, opts: { runCreated?: boolean } = {}) {
      const before = await counts();
      const r = await rlhf(...argv, "--json");
      expect(r.code).not.toBe(0);
      expect(errorLine(r)).toMatch(message);
      expect(r.json).toMatchObject({ ok: false });
      expect(r.json!.error).not.toContain("\n");
      const after = await counts();
      expect(after.models).toBe(before.models);
      expect(after.runs).toBe(before.runs + (opts.runCreated ? 1 : 0));
    }

    it("a missing model", async () => {
      await expectRejected(["train", "sft", "--base", "nope"], /base model nope: no such model or checkpoint directory/);
      await expectRejected(["train", "sft", "--base", path.join(env.dir, "missing-dir")], /no such model or checkpoint directory/);
    });

    it("a corrupt safetensors file", async () => {
      const dir = path.join(env.dir, "corrupt");
      fs.cpSync(tinyDir, dir, { recursive: true });
      const file = path.join(dir, "model.safetensors");
      fs.truncateSync(file, fs.statSync(file).size - 100);
      await env.withDb(async (db) => await registerTiny(db, "corrupt", dir));
      await expectRejected(["train", "sft", "--base", "corrupt"], /model\.safetensors is corrupt/);
      await expectRejected(["train", "sft", "--base", dir], /model\.safetensors is corrupt/);
    });

    it("an unknown tokenizer", async () => {
      const dir = path.join(env.dir, "klingon");
      fs.cpSync(tinyDir, dir, { recursive: true });
      const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
      cfg.rlhf.tokenizer = "klingon";
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(cfg));
      await expectRejected(["train", "sft", "--base", dir], /unknown tokenizer 'klingon'/);
      await env.withDb(async (db) => await registerTiny(db, "klingon", dir, "klingon"));
      await expectRejected(["train", "sft", "--base", "klingon"], /unknown tokenizer 'klingon'/);
    });

    it("an empty dataset", async () => {
      const cfg = path.join(env.dir, "empty.json");
      fs.writeFileSync(cfg, JSON.stringify({ project: "Empty" }));
      await expectRejected(["train", "sft", "--base", "tiny", "--config", cfg], /no demonstrations to train on in project 'Empty'/);
    });

    it("unknown config keys, bad values, a taken name", async () => {
      const cfg = path.join(env.dir, "bad.json");
      fs.writeFileSync(cfg, JSON.stringify({ lr: 0.1 }));
      await expectRejected(["train", "sft", "--base", "tiny", "--config", cfg], /sft config: unknown key 'lr'/);
      fs.writeFileSync(cfg, JSON.stringify({ batch_size: 0 }));
      await expectRejected(["train", "sft", "--base", "tiny", "--config", cfg], /batch_size must be at least 1/);
      fs.writeFileSync(cfg, "{not json");
      await expectRejected(["train", "sft", "--base", "tiny", "--config", cfg], /is not valid JSON/);
      await expectRejected(["train", "sft", "--base", "tiny", "--name", "tiny"], /a model or an unfinished run already uses the name 'tiny'/);
    });
  });
});
