// The runs and models routers through tRPC callers on a temp database: admins queue runs (checked by the same
// run-creation service as the CLI, so nothing bad is queued), cancel them, and everyone allowed reads the metric
// series the charts draw; annotators get nothing.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../server/services/audit";
import { importRankings } from "../../server/services/data-import";
import { registerModel } from "../../server/services/models";
import { appendLog, claimNextRun, listRuns, logMetrics } from "../../server/services/runs";
import { createTempDb, type TempDb } from "../support/db";
import { callerFor, makeUser, outcome, type Caller } from "./helpers";
import { makeTinyCheckpoint, seedDemonstrations } from "./trainer-fixtures";

let t: TempDb;
let admin: Caller;
let researcher: Caller;
let annotator: Caller;
let projectId: string;

beforeAll(async () => {
  t = createTempDb();
  admin = await callerFor(t.db, await makeUser(t.db, "admin"));
  researcher = await callerFor(t.db, await makeUser(t.db, "researcher"));
  annotator = await callerFor(t.db, await makeUser(t.db, "annotator"));
  // Real (tiny) checkpoints: run creation checks each model's files before anything is queued.
  const dir = await makeTinyCheckpoint(path.join(t.dir, "tiny"));
  const base = await registerModel(t.db, { name: "base", kind: "policy", path: dir, tokenizer: "byte", config: { n_layer: 2, n_embd: 144 } });
  await registerModel(t.db, { name: "rm", kind: "reward", path: dir, tokenizer: "byte", parentId: base.id });
  await registerModel(t.db, { name: "rm-bpe", kind: "reward", path: dir, tokenizer: "gpt2" });
  projectId = await seedDemonstrations(t.db);
});
afterAll(() => t.close());

const RANKINGS = [
  { prompt: "Say red.", completions: ["red", "blue"], ranking: [[0], [1]] },
  { prompt: "Say cat.", chosen: "cat", rejected: "dog" },
].map((r) => JSON.stringify(r)).join("\n");

describe("runs.create", () => {
  it("queues an SFT run with a default output name and writes the audit log", async () => {
    const run = await admin.runs.create({ kind: "sft", baseModel: "base", config: { max_steps: 20 } });
    expect(run).toMatchObject({ kind: "sft", status: "queued", baseModel: "base", name: "base-sft", progress: 0 });
    // The stored config is the parsed one, defaults included, so the run repeats even if a default changes later.
    expect(run.config).toMatchObject({ max_steps: 20, learning_rate: 1e-4, seed: 42 });
    const audit = (await listAudit(t.db, { page: 1, pageSize: 5 })).items[0]!;
    expect(audit).toMatchObject({ action: "run.create", entity: "run", entityId: run.id });
    // A second run of the same kind gets a fresh name: the first still holds 'base-sft' while queued.
    expect((await admin.runs.create({ kind: "sft", baseModel: "base", config: {} })).name).toBe("base-sft-2");
  });

  it("queues PPO with a reward model, and explains what is missing or wrong", async () => {
    const ppo = await admin.runs.create({ kind: "ppo", baseModel: "base", rewardModel: "rm", config: { max_steps: 2 } });
    expect(ppo).toMatchObject({ status: "queued", rewardModel: "rm" });
    await expect(admin.runs.create({ kind: "ppo", baseModel: "base", config: {} })).rejects.toThrow(/a ppo run needs a reward model/);
    await expect(admin.runs.create({ kind: "ppo", baseModel: "base", rewardModel: "base", config: {} })).rejects.toThrow(/is a policy model, but a reward model/);
    await expect(admin.runs.create({ kind: "ppo", baseModel: "base", rewardModel: "rm-bpe", config: {} })).rejects.toThrow(/tokenizer/);
    await expect(admin.runs.create({ kind: "dpo", baseModel: "base", rewardModel: "rm", config: {} })).rejects.toThrow(/takes no reward model/);
  });

  it("rejects a bad config or an empty dataset before anything is queued, as the CLI does", async () => {
    const before = (await listRuns(t.db)).length;
    await expect(admin.runs.create({ kind: "dpo", baseModel: "base", config: { lr: 1e-3 } })).rejects.toThrow("dpo config: unknown key 'lr'; did you mean 'learning_rate'?");
    await expect(admin.runs.create({ kind: "ppo", baseModel: "base", rewardModel: "rm", config: { batch_size: 4, mini_batch_size: 8 } })).rejects.toThrow(/mini_batch_size \(8\) must not exceed/);
    await expect(admin.runs.create({ kind: "reward", baseModel: "base", config: {} })).rejects.toThrow(/no usable rankings/);
    await expect(admin.runs.create({ kind: "dpo", baseModel: "base", config: {} })).rejects.toThrow(/no preference pairs/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", config: { project: "nope" } })).rejects.toThrow(/project 'nope' does not exist/);
    // A path is never accepted from the browser: only registered models.
    expect(await outcome(admin.runs.create({ kind: "sft", baseModel: path.join(t.dir, "tiny"), config: {} }))).toBe("NOT_FOUND");
    expect((await listRuns(t.db)).length).toBe(before);
    await importRankings(t.db, { projectId, content: RANKINGS });
    expect((await admin.runs.create({ kind: "reward", baseModel: "base", config: { num_train_epochs: 1 } })).status).toBe("queued");
  });

  it("rejects a missing or wrong-kind base model, a bad kind, name or config", async () => {
    expect(await outcome(admin.runs.create({ kind: "sft", baseModel: "nope", config: {} }))).toBe("NOT_FOUND");
    await expect(admin.runs.create({ kind: "sft", baseModel: "rm", config: {} })).rejects.toThrow(/reward model, but a policy model/);
    expect(await outcome(admin.runs.create({ kind: "sample" as "sft", baseModel: "base", config: {} }))).toBe("BAD_REQUEST");
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", name: "bad name!", config: {} })).rejects.toThrow(/not allowed/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", name: "rm", config: {} })).rejects.toThrow(/already uses the name/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", config: [1, 2] as unknown as Record<string, unknown> })).rejects.toThrow(/JSON object/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", config: { pad: "x".repeat(17_000) } })).rejects.toThrow(/16 KB/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", config: { _base_dir: "/etc" } })).rejects.toThrow(/reserved/);
    await expect(admin.runs.create({ kind: "sft", baseModel: "base", config: { learning_rate: "fast" } })).rejects.toThrow("sft config: learning_rate must be a number (got \"fast\")");
  });
});

describe("runs.get, runs.list, runs.cancel", () => {
  it("returns the run with its metric series and log tail, as the worker wrote them", async () => {
    const created = await admin.runs.create({ kind: "dpo", baseModel: "base", name: "dpo-charted", config: {} });
    // Drain older queued runs so the worker-side claim takes this one.
    let claimed;
    while ((claimed = await claimNextRun(t.db, "test-worker")) && claimed.id !== created.id);
    for (let step = 1; step <= 3; step++) await logMetrics(t.db, created.id, step, { "train/loss": 1 / step, "rewards/margins": step / 10 });
    await appendLog(t.db, created.id, "epoch 1/2: held-out loss 0.5");

    const { run, metrics, logs } = await researcher.runs.get({ id: created.id });
    expect(run).toMatchObject({ id: created.id, status: "running", baseModel: "base" });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(metrics["train/loss"]!.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(metrics["rewards/margins"]![2]!.value).toBeCloseTo(0.3);
    expect(logs.map((l) => l.message)).toEqual(["epoch 1/2: held-out loss 0.5"]);

    const list = await researcher.runs.list();
    expect(list.find((r) => r.id === created.id)).toMatchObject({ kind: "dpo", status: "running" });
  });

  it("sends long series to the charts thinned to bucket means, ending at the last step", async () => {
    const run = await admin.runs.create({ kind: "sft", baseModel: "base", name: "long-run", config: {} });
    for (let step = 1; step <= 2000; step++) await logMetrics(t.db, run.id, step, { "train/loss": step % 2 ? 1 : 3 });
    const series = (await researcher.runs.get({ id: run.id })).metrics["train/loss"]!;
    expect(series.length).toBe(500);
    expect(series[series.length - 1]).toEqual({ step: 2000, value: 2 });
  });

  it("cancels a queued run once, with an audit entry; a finished run cannot be cancelled again", async () => {
    const run = await admin.runs.create({ kind: "reward", baseModel: "base", config: {} });
    expect(await admin.runs.cancel({ id: run.id })).toEqual({ id: run.id, status: "cancelled" });
    expect((await listAudit(t.db, { page: 1, pageSize: 1 })).items[0]).toMatchObject({ action: "run.cancel", entityId: run.id });
    await expect(admin.runs.cancel({ id: run.id })).rejects.toThrow(/already been cancelled/);
    expect(await outcome(admin.runs.cancel({ id: "missing" }))).toBe("NOT_FOUND");
  });

  it("is forbidden for annotators; researchers read but cannot start or cancel", async () => {
    expect(await outcome(annotator.runs.list())).toBe("FORBIDDEN");
    expect(await outcome(annotator.models.list())).toBe("FORBIDDEN");
    expect(await outcome(researcher.runs.create({ kind: "sft", baseModel: "base", config: {} }))).toBe("FORBIDDEN");
    const some = (await researcher.runs.list())[0]!;
    expect(await outcome(researcher.runs.cancel({ id: some.id }))).toBe("FORBIDDEN");
  });
});

describe("models.list", () => {
  it("shows lineage, tokenizer and a config summary", async () => {
    const list = await researcher.models.list();
    const rm = list.find((m) => m.name === "rm")!;
    expect(rm).toMatchObject({ kind: "reward", parent: "base", tokenizer: "byte" });
    expect(list.find((m) => m.name === "base")!.summary).toContain("n_layer 2");
  });
});
