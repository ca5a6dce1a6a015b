// Run bookkeeping and the model registry on a temporary database: queue, lease, cancel, atomic finish.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../db/index";
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
afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("model registry", () => {
  it("registers, resolves by name or id, and refuses duplicates and bad names", () => {
    const m = registerModel(db, { name: "base", kind: "policy", path: "models/base", tokenizer: "byte" });
    expect(resolveModel(db, "base").id).toBe(m.id);
    expect(resolveModel(db, m.id).name).toBe("base");
    expect(() => registerModel(db, { name: "base", kind: "policy", path: "x", tokenizer: "byte" })).toThrow(/already exists/);
    expect(() => registerModel(db, { name: "bad name!", kind: "policy", path: "x", tokenizer: "byte" })).toThrow(/not allowed/);
    expect(() => resolveModel(db, "nope")).toThrow(/no model named 'nope'/);
    expect(() => resolveModel(db, "base", "reward")).toThrow(/policy model/);
    expect(uniqueModelName(db, "base")).toBe("base-2");
  });
});

describe("runs", () => {
  it("claims each queued run once, oldest first", () => {
    const a = createRun(db, { kind: "sft" });
    const b = createRun(db, { kind: "sft" });
    expect(claimNextRun(db, "w1")?.id).toBe(a.id);
    expect(claimNextRun(db, "w2")?.id).toBe(b.id);
    expect(claimNextRun(db, "w3")).toBeUndefined();
    expect(heartbeat(db, a.id, "w1")).toBe(true);
    expect(heartbeat(db, a.id, "w2")).toBe(false);
    failRun(db, a.id, "boom");
    failRun(db, b.id, "boom");
    expect(getRun(db, a.id).status).toBe("failed");
  });

  it("hands a run whose lease expired to another worker", () => {
    const r = createRun(db, { kind: "sft", startedBy: { workerId: "dead", leaseMs: -1 } });
    const claimed = claimNextRun(db, "alive");
    expect(claimed?.id).toBe(r.id);
    expect(claimed?.workerId).toBe("alive");
    expect(heartbeat(db, r.id, "dead")).toBe(false);
    cancelRun(db, r.id);
  });

  it("cancels queued and running runs, and refuses to cancel a finished one", () => {
    const r = createRun(db, { kind: "dpo", startedBy: { workerId: "w" } });
    cancelRun(db, r.id);
    expect(isCancelled(db, r.id)).toBe(true);
    expect(heartbeat(db, r.id, "w")).toBe(false);
    expect(() => cancelRun(db, r.id)).toThrow(/already been cancelled/);
  });

  it("registers the output model and finishes the run together, or neither", () => {
    const r = createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    logMetrics(db, r.id, 1, { "train/loss": 2.5, "train/lr": 1e-3, bad: Number.NaN });
    logMetrics(db, r.id, 2, { "train/loss": 2.0 });
    expect(runMetricSeries(db, r.id)["train/loss"]).toEqual([{ step: 1, value: 2.5 }, { step: 2, value: 2.0 }]);
    expect(runMetricSeries(db, r.id).bad).toBeUndefined();

    // A name clash rolls the whole finish back: the run stays running and no model row appears.
    const before = db.select().from(models).all().length;
    expect(() => completeRun(db, r.id, { name: "base", kind: "policy", path: "p", tokenizer: "byte" })).toThrow();
    expect(getRun(db, r.id).status).toBe("running");
    expect(db.select().from(models).all().length).toBe(before);

    const m = completeRun(db, r.id, { name: "sft-1", kind: "policy", path: "p", tokenizer: "byte" });
    expect(getRun(db, r.id)).toMatchObject({ status: "succeeded", outputModelId: m!.id, progress: 1 });
    expect(resolveModel(db, "sft-1").runId).toBe(r.id);
  });
});

describe("runs at the edges", () => {
  it("does not overwrite a run cancelled at the last moment, and registers nothing", () => {
    const r = createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    cancelRun(db, r.id);
    expect(() => completeRun(db, r.id, { name: "late", kind: "policy", path: "p", tokenizer: "byte" })).toThrow(/no longer running/);
    expect(getRun(db, r.id).status).toBe("cancelled");
    expect(() => resolveModel(db, "late")).toThrow(/no model named/);
  });

  it("requeues a run only for the worker that holds it", () => {
    const r = createRun(db, { kind: "sft", startedBy: { workerId: "w" } });
    expect(requeueRun(db, r.id, "other")).toBe(false);
    expect(requeueRun(db, r.id, "w")).toBe(true);
    expect(getRun(db, r.id)).toMatchObject({ status: "queued", workerId: null });
    cancelRun(db, r.id);
  });
});
