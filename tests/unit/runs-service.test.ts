// Run bookkeeping and the model registry on a temporary database: queue, lease, cancel, atomic finish.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { models } from "../../db/schema";
import { registerModel, resolveModel, uniqueModelName } from "../../server/services/models";
import {
  cancelRun, claimNextRun, completeRun, createRun, failRun, getRun, heartbeat, isCancelled, logMetrics, requeueRun, runMetricSeries,
} from "../../server/services/runs";

let dir: string;
let db: Db;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-runs-"));
  db = openDb(path.join(dir, "t.db"));
});
afterAll(async () => {
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("model registry", () => {
  it("registers, resolves by name or id, and refuses duplicates and bad names", async () => {
    const m = await registerModel(db, { name: "base", kind: "policy", path: "models/base", tokenizer: "byte" });
    expect((await resolveModel(db, "base")).id).toBe(m.id);
    expect((await resolveModel(db, m.id)).name).toBe("base");
    await expect(async () => await registerModel(db, { name: "base", kind: "policy", path: "x", tokenizer: "byte" })).rejects.toThrow(/already exists/);
    await expect(async () => await registerModel(db, { name: "bad name!", kind: "policy", path: "x", tokenizer: "byte" })).rejects.toThrow(/not allowed/);
    await expect(async () => await resolveModel(db, "nope")).rejects.toThrow(/no model named 'nope'/);
    await expect(async () => await resolveModel(db, "base", "reward")).rejects.toThrow(/policy model/);
    expect(await uniqueModelName(db, "base")).toBe("base-2");
  });
});

describe("runs", () => {
  it("claims each queued run once, oldest first", async () => {
    const a = await createRun(db, { kind: "sft" });
    const b = await createRun(db, { kind: "sft" });
    expect((await claimNextRun(db, "w1"))?.id).toBe(a.id);
    expect((await claimNextRun(db, "w2"))?.id).toBe(b.id);
    expect(await claimNextRun(db, "w3")).toBeUndefined();
    expect(await heartbeat(db, a.id, "w1")).toBe(true);
    expect(await heartbeat(db, a.id, "w2")).toBe(false);
    await failRun(db, a.id, "boom");
    await failRun(db, b.id, "boom");
    expect((await getRun(db, a.id)).status).toBe("failed");
  });

  it("hands a run whose lease expired to another worker", async () => {
    const r = await createRun(db, { kind: "sft", startedBy: { workerId: "dead", leaseMs: -1 } });
    const claimed = await claimNextRun(db, "alive");
    expect(claimed?.id).toBe(r.id);
    expect(claimed?.workerId).toBe("alive");
    expect(await heartbeat(db, r.id, "dead")).toBe(false);
    await cancelRun(db, r.id);
  });

  it("cancels queued and running runs, and refuses to cancel a finished one", async () => {
    const r = await createRun(db, { kind: "dpo", startedBy: { workerId: "w" } });
    await cancelRun(db, r.id);
    expect(await isCancelled(db, r.id)).toBe(true);
    expect(await heartbeat(db, r.id, "w")).toBe(false);
    await expect(async () => await cancelRun(db, r.id)).rejects.toThrow(/already been cancelled/);
  });

  it("registers the output model and finishes the run together, or neither", async () => {
    const r = await createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    await logMetrics(db, r.id, 1, { "train/loss": 2.5, "train/lr": 1e-3, bad: Number.NaN });
    await logMetrics(db, r.id, 2, { "train/loss": 2.0 });
    expect((await runMetricSeries(db, r.id))["train/loss"]).toEqual([{ step: 1, value: 2.5 }, { step: 2, value: 2.0 }]);
    expect((await runMetricSeries(db, r.id)).bad).toBeUndefined();

    // A name clash rolls the whole finish back: the run stays running and no model row appears.
    const before = (await db.select().from(models)).length;
    await expect(async () => await completeRun(db, r.id, { name: "base", kind: "policy", path: "p", tokenizer: "byte" })).rejects.toThrow();
    expect((await getRun(db, r.id)).status).toBe("running");
    expect((await db.select().from(models)).length).toBe(before);

    const m = await completeRun(db, r.id, { name: "sft-1", kind: "policy", path: "p", tokenizer: "byte" });
    expect(await getRun(db, r.id)).toMatchObject({ status: "succeeded", outputModelId: m!.id, progress: 1 });
    expect((await resolveModel(db, "sft-1")).runId).toBe(r.id);
  });
});

describe("runs at the edges", () => {
  it("does not overwrite a run cancelled at the last moment, and registers nothing", async () => {
    const r = await createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    await cancelRun(db, r.id);
    await expect(async () => await completeRun(db, r.id, { name: "late", kind: "policy", path: "p", tokenizer: "byte" })).rejects.toThrow(/no longer running/);
    expect((await getRun(db, r.id)).status).toBe("cancelled");
    await expect(async () => await resolveModel(db, "late")).rejects.toThrow(/no model named/);
  });

  it("requeues a run only for the worker that holds it", async () => {
    const r = await createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    expect(await requeueRun(db, r.id, "other")).toBe(false);
    expect(await requeueRun(db, r.id, "w")).toBe(true);
    expect(await getRun(db, r.id)).toMatchObject({ status: "queued", workerId: null });
    await cancelRun(db, r.id);
  });
});
