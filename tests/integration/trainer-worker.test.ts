// Queued runs and the worker: `train sft --queue` only creates a queued run, `worker --once` claims and runs it,
// `runs list|show|cancel` report and stop runs, and a cancelled run is never picked up.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models, runs } from "../../db/schema";
import { cliEnv, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let configFile: string;

beforeAll(async () => {
  env = cliEnv("rlhf-worker-");
  const dir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  await env.withDb(async (db) => {
    await seedDemonstrations(db);
    await registerTiny(db, "tiny", dir);
  });
  configFile = path.join(env.dir, "sft.json");
  fs.writeFileSync(configFile, JSON.stringify({ learning_rate: 1e-2, batch_size: 4, max_steps: 12, eval_steps: 6 }));
});
afterAll(() => env.restore());

describe("queue and worker", () => {
  it("--queue creates a queued run and trains nothing", async () => {
    const r = await rlhf("train", "sft", "--base", "tiny", "--config", configFile, "--name", "queued-sft", "--queue", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ status: "queued", queued: true, model: "queued-sft" });
    expect(await env.withDb(async (db) => (await db.select().from(models)).map((m) => m.name))).not.toContain("queued-sft");
    const list = await rlhf("runs", "list", "--json");
    expect(list.json!.runs).toEqual([expect.objectContaining({ id: r.json!.run_id, kind: "sft", status: "queued" })]);
  });

  it("worker --once runs the queued run to a registered model, and runs show reports it", async () => {
    const w = await rlhf("worker", "--once", "--json");
    expect(w.code, w.err).toBe(0);
    expect(w.json!.runs).toEqual([expect.objectContaining({ kind: "sft", status: "succeeded", model: "queued-sft", error: null })]);
    const runId = w.json!.runs[0].run;
    const show = await rlhf("runs", "show", runId, "--json");
    expect(show.json!.run).toMatchObject({ id: runId, status: "succeeded", output_model: "queued-sft", progress: 1 });
    expect(show.json!.run.config.max_steps).toBe(12); // the full config, defaults filled in
    expect(Object.keys(show.json!.metrics)).toEqual(expect.arrayContaining(["train/loss", "eval/loss", "train/lr", "train/grad_norm"]));
    expect(show.json!.steps).toBe(12);
    expect(show.json!.logs.join("\n")).toMatch(/registered model 'queued-sft'/);
    const tiny = await env.withDb(async (db) => await db.select().from(models));
    expect(tiny.find((m) => m.name === "queued-sft")!.parentId).toBe(tiny.find((m) => m.name === "tiny")!.id);
  });

  it("runs cancel stops a queued run before any worker takes it", async () => {
    const q = await rlhf("train", "sft", "--base", "tiny", "--config", configFile, "--queue", "--json");
    const c = await rlhf("runs", "cancel", q.json!.run_id, "--json");
    expect(c.json).toMatchObject({ run_id: q.json!.run_id, status: "cancelled" });
    const w = await rlhf("worker", "--once", "--json");
    expect(w.json!.runs).toEqual([]);
    const again = await rlhf("runs", "cancel", q.json!.run_id, "--json");
    expect(again.code).not.toBe(0);
    expect(again.json!.error).toMatch(/already been cancelled/);
    const missing = await rlhf("runs", "show", "nope", "--json");
    expect(missing.json!.error).toMatch(/no run with id 'nope'/);
  });

  it("a run that fails in the worker is marked failed with a one-line error and registers nothing", async () => {
    const q = await rlhf("train", "sft", "--base", "tiny", "--config", configFile, "--name", "doomed", "--queue", "--json");
    // The base checkpoint disappears between queuing and running.
    const moved = path.join(env.dir, "tiny-moved");
    fs.renameSync(path.join(env.dir, "tiny"), moved);
    try {
      const w = await rlhf("worker", "--once", "--json");
      expect(w.json!.runs).toEqual([expect.objectContaining({ run: q.json!.run_id, status: "failed" })]);
      expect(w.json!.runs[0].error).toMatch(/does not exist/);
      expect(w.json!.runs[0].error).not.toContain("\n");
      expect(await env.withDb(async (db) => (await db.select().from(models)).map((m) => m.name))).not.toContain("doomed");
      expect(fs.existsSync(path.join(env.dir, "models", "doomed"))).toBe(false);
    } finally {
      fs.renameSync(moved, path.join(env.dir, "tiny"));
    }
  });

  it("a run of a kind this version does not know fails with a sentence, not a crash", async () => {
    const id = await env.withDb(async (db) => (await db.insert(runs).values({ kind: "kto", name: "from-the-future", config: {} }).returning())[0].id);
    const w = await rlhf("worker", "--once", "--json");
    expect(w.json!.runs).toEqual([expect.objectContaining({ run: id, status: "failed", error: "run kind 'kto' is not known to this version; upgrade the worker" })]);
  });
});
