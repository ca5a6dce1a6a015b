// Background exports through the tRPC router and the service: a job writes the same bytes as the streaming export,
// reports progress, is seen only by its creator and admins; a cancel or a failure leaves no file at all; old jobs and
// jobs of a dead process are cleaned up.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { exportJobs } from "../../db/schema";
import { exportChunks } from "../../server/services/export";
import { cleanUpExportJobs, EXPORT_KEEP_HOURS, exportDir, exportJobFile, writeExportJob } from "../../server/services/export-job";
import { createTempDb, type TempDb } from "../support/db";
import { buildExportFixture } from "../support/export-fixture";
import { callerFor, makeUser, outcome, type Caller } from "./helpers";
import { collect } from "../../server/services/async-iter";

let t: TempDb;
let researcher: Caller;
let other: Caller;
let admin: Caller;
let researcherId: string;

beforeAll(async () => {
  t = createTempDb("rlhf-export-jobs-");
  process.env.RLHF_HOME = t.dir;
  await buildExportFixture(t.db);
  const r = await makeUser(t.db, "researcher");
  researcherId = r.id;
  researcher = await callerFor(t.db, r);
  other = await callerFor(t.db, await makeUser(t.db, "researcher"));
  admin = await callerFor(t.db, await makeUser(t.db, "admin"));
});
afterAll(async () => {
  delete process.env.RLHF_HOME;
  await t.close();
});

async function finished(caller: Caller, id: string) {
  for (let i = 0; i < 200; i++) {
    const job = await caller.exports.get({ id });
    if (job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the export did not finish");
}

const files = () => (fs.existsSync(exportDir()) ? fs.readdirSync(exportDir()).sort() : []);

/** A job row as startExportJob makes one, for driving writeExportJob directly. */
async function jobRow(): Promise<string> {
  const now = new Date();
  return (await t.db.insert(exportJobs).values({ format: "trl-preference", createdBy: researcherId, createdAt: now, heartbeatAt: now }).returning())[0].id;
}

describe("export jobs", () => {
  it("write the same bytes as the streaming export, with progress 1 and a download link", async () => {
    const started = await researcher.exports.start({ format: "trl-preference", filter: { weights: true, includeGold: true } });
    expect(started.status).toBe("running");
    const job = await finished(researcher, started.id);
    expect(job).toMatchObject({ status: "succeeded", progress: 1, downloadUrl: `/api/export/jobs/${started.id}`, filter: { weights: true, includeGold: true } });
    const expected = Buffer.concat((await collect(exportChunks(t.db, "trl-preference", { weights: true, includeGold: true }))).map((c) => c.bytes));
    const { file, bytes } = await exportJobFile(t.db, started.id);
    expect(fs.readFileSync(file)).toEqual(expected);
    expect(bytes).toBe(expected.length);
    expect(job.records).toBe(expected.toString("utf8").trim().split("\n").length);
    expect(files()).toEqual([`${started.id}.jsonl`]);
    expect((await researcher.exports.mine()).map((j) => j.id)).toContain(started.id);
  });

  it("are seen by their creator and admins only", async () => {
    const { id } = await researcher.exports.start({ format: "rankings", filter: {} });
    await finished(researcher, id);
    expect(await outcome(other.exports.get({ id }))).toBe("NOT_FOUND");
    expect(await outcome(other.exports.cancel({ id }))).toBe("NOT_FOUND");
    expect((await other.exports.mine()).map((j) => j.id)).not.toContain(id);
    expect((await admin.exports.get({ id })).status).toBe("succeeded");
    await expect(async () => await exportJobFile(t.db, id, { viewer: { id: "someone-else", role: "researcher" } })).rejects.toThrow(/no export with id/);
  });

  it("refuse a bad format or filter in one line, before any job exists", async () => {
    const before = (await t.db.select().from(exportJobs)).length;
    await expect(researcher.exports.start({ format: "trl-preference", filter: { minAgreement: "2" } })).rejects.toThrow(/^min agreement must be a number from 0 to 1 \(got '2'\)$/);
    await expect(researcher.exports.start({ format: "trl-preference", filter: { project: "nope" } })).rejects.toThrow(/no project named 'nope'/);
    expect(await outcome(researcher.exports.start({ format: "csv" as "rankings", filter: {} }))).toBe("BAD_REQUEST");
    expect(await t.db.select().from(exportJobs)).toHaveLength(before);
  });

  it("cancelled half-way leave no file, staged or final", async () => {
    const id = await jobRow();
    const abort = new AbortController();
    const dir = path.join(t.dir, "cancel");
    let served = 0;
    async function* chunks() {
      for (;;) {
        served++;
        if (served === 3) abort.abort();
        yield { bytes: Buffer.from('{"a":1}\n'), records: 1, items: 1 };
      }
    }
    await writeExportJob(t.db, id, dir, abort.signal, chunks, async () => 10);
    expect(served).toBe(3);
    const row = (await t.db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!;
    expect(row.status).toBe("cancelled");
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(async () => await exportJobFile(t.db, id, { dir })).rejects.toThrow(/the export is cancelled; there is no file to download/);
  });

  it("that fail half-way record why and leave no file", async () => {
    const id = await jobRow();
    const dir = path.join(t.dir, "fail");
    async function* chunks() {
      yield { bytes: Buffer.from('{"a":1}\n'), records: 1, items: 1 };
      throw new Error("disk on fire");
    }
    await writeExportJob(t.db, id, dir, new AbortController().signal, chunks, async () => 10);
    const row = (await t.db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!;
    expect(row).toMatchObject({ status: "failed", error: "the export stopped: disk on fire" });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("report progress as source rows read of those matched while they run", async () => {
    const id = await jobRow();
    const dir = path.join(t.dir, "progress");
    const seen: number[] = [];
    async function* chunks() {
      for (let i = 0; i < 4; i++) {
        // Slow enough that each chunk is past the progress interval.
        const until = Date.now() + 260;
        while (Date.now() < until);
        seen.push((await t.db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!.doneItems);
        yield { bytes: Buffer.from("{}\n"), records: 1, items: 25 };
      }
    }
    await writeExportJob(t.db, id, dir, new AbortController().signal, chunks, async () => 100);
    expect(seen).toEqual([0, 25, 50, 75]);
    expect(await researcher.exports.get({ id })).toMatchObject({ status: "succeeded", progress: 1, records: 4 });
  });

  it("stop when another process records a cancel, and leave no file", async () => {
    const id = await jobRow();
    const dir = path.join(t.dir, "cancel-elsewhere");
    let served = 0;
    async function* chunks() {
      for (;;) {
        served++;
        const until = Date.now() + 30;
        while (Date.now() < until);
        // Another web instance cancels: it can only change the row.
        if (served === 3) await t.db.update(exportJobs).set({ status: "cancelled" }).where(eq(exportJobs.id, id));
        yield { bytes: Buffer.from("{}\n"), records: 1, items: 1 };
      }
    }
    await writeExportJob(t.db, id, dir, new AbortController().signal, chunks, async () => 100);
    expect((await t.db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!.status).toBe("cancelled");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("of a process that died read as failed at once", async () => {
    const id = await jobRow();
    await t.db.update(exportJobs).set({ heartbeatAt: new Date(Date.now() - 5 * 60_000) }).where(eq(exportJobs.id, id));
    expect(await researcher.exports.get({ id })).toMatchObject({ status: "failed", error: "the server stopped while writing this export; start it again" });
  });

  it("are cleaned up: finished ones after the keeping time with their file, dead running ones as failed", async () => {
    const { id } = await researcher.exports.start({ format: "trl-sft", filter: {} });
    await finished(researcher, id);
    const dead = await jobRow();
    fs.writeFileSync(path.join(exportDir(), `${dead}.jsonl.part`), "half");
    const later = new Date(Date.now() + EXPORT_KEEP_HOURS * 3_600_000 - 60_000);
    expect(await cleanUpExportJobs(t.db, { now: later })).toMatchObject({ failed: 1 });
    expect((await researcher.exports.get({ id: dead })).error).toMatch(/server stopped/);
    expect(files()).not.toContain(`${dead}.jsonl.part`);
    expect(files()).toContain(`${id}.jsonl`);
    await cleanUpExportJobs(t.db, { now: new Date(Date.now() + EXPORT_KEEP_HOURS * 3_600_000 + 60_000) });
    expect(files()).not.toContain(`${id}.jsonl`);
    expect(await outcome(researcher.exports.get({ id }))).toBe("NOT_FOUND");
  });
});
