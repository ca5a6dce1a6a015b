// Exports the web page starts in the background: the request that asks for one returns at once, the file is written
// in the web process a chunk at a time with the event loop free between chunks, under a staging name that is renamed
// when the file is whole, and the page polls the job's progress and then downloads the finished file. Finished
// files are kept in the data folder for EXPORT_KEEP_HOURS, then removed with their job.
//
// Why in the web process and not the worker: the worker runs one training run at a time (a run can take hours) and
// may not be running at all, while an export is a few seconds to a few minutes of reading. One step (a 256 KB chunk,
// ~280 pairs, or one page of 100 prompts read) holds the event loop for a few milliseconds, then other requests go
// first (measured by `npm run bench:export-job`, BENCHMARKS.md "Exports").
import fs from "node:fs";
import path from "node:path";
import { and, desc, eq, inArray, lt } from "drizzle-orm";
import type { Db } from "../../db/index";
import { rowsChanged } from "../../db/sql-fragments";
import { dataHome } from "../../db/paths";
import { exportJobs } from "../../db/schema";
import { notFound, ServiceError } from "./errors";
import { pacedWriter, type PacedWriter } from "./paced-writer";
import { exportChunks, exportSourceRows, parseExportFormat, resolveExportFilter, type RawExportFilter } from "./export";

/** Hours a finished export's file (and its job) is kept: long enough to download it, short enough not to fill a disk. */
export const EXPORT_KEEP_HOURS = 6;
/** A running job whose heartbeat is older than this belongs to a process that died. */
export const EXPORT_STALE_MS = 60_000;
/** Progress is written at most this often: a row update per chunk would be thousands of writes for a large export. */
const PROGRESS_EVERY_MS = 250;

export type ExportJobRow = typeof exportJobs.$inferSelect;

export interface ExportJobStatus {
  id: string;
  format: string;
  filter: Record<string, string | boolean>;
  status: ExportJobRow["status"];
  /** 0..1: source rows read of those the filter matches. */
  progress: number;
  records: number;
  bytes: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Where the finished file downloads from; null until it is whole. */
  downloadUrl: string | null;
}

/** Where export files live: the data folder (RLHF_HOME), beside models and the auth secret. */
export function exportDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataHome(env), "exports");
}

const finalFile = (dir: string, id: string) => path.join(dir, `${id}.jsonl`);
/** The staging name: a reader never sees a half-written file under the final name. */
const stagingFile = (dir: string, id: string) => path.join(dir, `${id}.jsonl.part`);

/** Cancel switches of the jobs this process is writing. */
const running = new Map<string, AbortController>();

/** The filter as it is stored and shown: only the fields that were given. */
function storedFilter(raw: RawExportFilter): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(raw)) if (value !== undefined && value !== "" && value !== false) out[key] = typeof value === "number" ? String(value) : value;
  return out;
}

/**
 * Checks the format and filters (a bad one is a one-line error before anything starts), records the job and starts
 * writing it in the background. Returns the job at once.
 */
export async function startExportJob(db: Db, input: { format: string; filter: RawExportFilter; userId: string | null }, opts: { dir?: string } = {}): Promise<ExportJobStatus> {
  const dir = opts.dir ?? exportDir();
  const format = parseExportFormat(input.format);
  const filter = await resolveExportFilter(db, input.filter);
  await cleanUpExportJobs(db, { dir });
  const now = new Date();
  const job = (await db
    .insert(exportJobs)
    .values({ format, filter: storedFilter(input.filter), createdBy: input.userId, createdAt: now, heartbeatAt: now })
    .returning())[0];
  const abort = new AbortController();
  running.set(job.id, abort);
  writeExportJob(db, job.id, dir, abort.signal, () => exportChunks(db, format, filter), () => exportSourceRows(db, format, filter))
    // Only recording the outcome can fail here (the database went away): the web process must not go down with it.
    .catch((err) => console.error(`export job ${job.id}: could not record its outcome:`, err))
    .finally(() => running.delete(job.id));
  return jobStatus(job);
}

/**
 * Writes one job's file: chunks to the staging file (waiting for the disk when it falls behind), the event loop
 * handed back after each, progress every PROGRESS_EVERY_MS; renamed when whole. A failure or a cancel removes the
 * staging file and records why: never a half-written file under the final name.
 */
export async function writeExportJob(
  db: Db,
  id: string,
  dir: string,
  signal: AbortSignal,
  chunks: () => AsyncIterator<{ bytes: Uint8Array; records: number; items: number }>,
  countItems: () => Promise<number>,
): Promise<void> {
  const staging = stagingFile(dir, id);
  let writer: PacedWriter | null = null;
  let iterator: AsyncIterator<{ bytes: Uint8Array; records: number; items: number }> | null = null;
  const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));
  try {
    // Let the request that started the job answer first.
    await yieldToRequests();
    const totalItems = await countItems();
    await db.update(exportJobs).set({ totalItems, heartbeatAt: new Date() }).where(eq(exportJobs.id, id));
    fs.mkdirSync(dir, { recursive: true });
    writer = pacedWriter(fs.createWriteStream(staging));
    iterator = chunks();
    let records = 0;
    let bytes = 0;
    let items = 0;
    let reported = performance.now();
    for (;;) {
      if (signal.aborted) throw new Cancelled();
      const next = await iterator.next();
      if (next.done) break;
      records += next.value.records;
      bytes += next.value.bytes.length;
      items += next.value.items;
      await writer.write(next.value.bytes);
      if (performance.now() - reported >= PROGRESS_EVERY_MS) {
        reported = performance.now();
        // Guarded by status: a cancel recorded by another process (one that is not writing it) stops this one too.
        const alive = rowsChanged(await db
          .update(exportJobs)
          .set({ records, bytes, doneItems: items, heartbeatAt: new Date() })
          .where(and(eq(exportJobs.id, id), eq(exportJobs.status, "running"))));
        if (!alive) throw new Cancelled();
      }
      await yieldToRequests();
    }
    await writer.end();
    if (signal.aborted) throw new Cancelled();
    fs.renameSync(staging, finalFile(dir, id));
    const done = rowsChanged(await db
      .update(exportJobs)
      .set({ status: "succeeded", records, bytes, doneItems: Math.max(items, totalItems), totalItems: Math.max(items, totalItems), finishedAt: new Date(), heartbeatAt: new Date() })
      .where(and(eq(exportJobs.id, id), eq(exportJobs.status, "running"))));
    // Cancelled elsewhere in the last moment: the file goes too.
    if (!done) fs.rmSync(finalFile(dir, id), { force: true });
  } catch (err) {
    await iterator?.return?.(undefined);
    await writer?.abandon();
    fs.rmSync(staging, { force: true });
    const cancelled = err instanceof Cancelled;
    if (!cancelled) console.error(`export job ${id} failed:`, err);
    const message = cancelled ? null : err instanceof ServiceError ? err.message : `the export stopped: ${err instanceof Error ? err.message : String(err)}`;
    await db.update(exportJobs)
      .set({ status: cancelled ? "cancelled" : "failed", error: message?.slice(0, 2000) ?? null, finishedAt: new Date() })
      .where(and(eq(exportJobs.id, id), eq(exportJobs.status, "running")));
  }
}

class Cancelled extends Error {}

function jobStatus(job: ExportJobRow): ExportJobStatus {
  const progress = job.status === "succeeded" ? 1 : job.totalItems ? Math.min(1, job.doneItems / job.totalItems) : 0;
  return {
    id: job.id,
    format: job.format,
    filter: job.filter,
    status: job.status,
    progress,
    records: job.records,
    bytes: job.bytes,
    error: job.error,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    downloadUrl: job.status === "succeeded" ? `/api/export/jobs/${job.id}` : null,
  };
}

/** Who asks about a job: its creator and admins see it; to anyone else it does not exist. */
export interface ExportJobViewer {
  id: string;
  role: string;
}

export async function exportJobStatus(db: Db, id: string, viewer: ExportJobViewer | null = null): Promise<ExportJobStatus> {
  let job = (await db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0];
  // A job whose process died shows as failed at once, not as running until the next export starts.
  if (job?.status === "running" && !running.has(id) && job.heartbeatAt.getTime() < Date.now() - EXPORT_STALE_MS) {
    await cleanUpExportJobs(db);
    job = (await db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0];
  }
  if (!job || (viewer && viewer.role !== "admin" && job.createdBy !== viewer.id))
    throw notFound(`no export with id '${id}' (finished exports are kept ${EXPORT_KEEP_HOURS} hours)`);
  return jobStatus(job);
}

/** The caller's recent exports, newest first. */
export async function listExportJobs(db: Db, userId: string, limit = 10): Promise<ExportJobStatus[]> {
  return (await db.select().from(exportJobs).where(eq(exportJobs.createdBy, userId)).orderBy(desc(exportJobs.createdAt)).limit(limit)).map(jobStatus);
}

/** Stops a running export; its staging file is removed. A finished one is left as it is. */
export async function cancelExportJob(db: Db, id: string, viewer: ExportJobViewer | null = null): Promise<ExportJobStatus> {
  const job = await exportJobStatus(db, id, viewer);
  if (job.status !== "running") return job;
  running.get(id)?.abort();
  // A job this process is not writing (its process died) is marked now; its own loop marks it otherwise.
  if (!running.has(id)) await db.update(exportJobs).set({ status: "cancelled", finishedAt: new Date() }).where(and(eq(exportJobs.id, id), eq(exportJobs.status, "running")));
  return await exportJobStatus(db, id);
}

/** The finished file of a job, or a one-line reason it cannot be downloaded. */
export async function exportJobFile(db: Db, id: string, opts: { dir?: string; viewer?: ExportJobViewer } = {}): Promise<{ file: string; format: string; bytes: number }> {
  const job = await exportJobStatus(db, id, opts.viewer ?? null);
  if (job.status !== "succeeded") throw new ServiceError("CONFLICT", `the export is ${job.status === "running" ? "still being written" : job.status}; there is no file to download`);
  const file = finalFile(opts.dir ?? exportDir(), id);
  if (!fs.existsSync(file)) throw notFound(`the export's file is gone (finished exports are kept ${EXPORT_KEEP_HOURS} hours); start it again`);
  return { file, format: job.format, bytes: job.bytes };
}

/**
 * Removes finished jobs older than EXPORT_KEEP_HOURS with their files, and marks running jobs whose process died as
 * failed (removing their staging files). Runs whenever a job starts; cheap (both by index).
 */
export async function cleanUpExportJobs(db: Db, opts: { dir?: string; now?: Date } = {}): Promise<{ removed: number; failed: number }> {
  const dir = opts.dir ?? exportDir();
  const now = opts.now ?? new Date();
  const dead = (await db
    .select({ id: exportJobs.id })
    .from(exportJobs)
    .where(and(eq(exportJobs.status, "running"), lt(exportJobs.heartbeatAt, new Date(now.getTime() - EXPORT_STALE_MS)))))
    .filter((j) => !running.has(j.id));
  for (const { id } of dead) {
    fs.rmSync(stagingFile(dir, id), { force: true });
    await db.update(exportJobs)
      .set({ status: "failed", error: "the server stopped while writing this export; start it again", finishedAt: now })
      .where(eq(exportJobs.id, id));
  }
  const old = await db
    .select({ id: exportJobs.id })
    .from(exportJobs)
    .where(and(inArray(exportJobs.status, ["succeeded", "failed", "cancelled"]), lt(exportJobs.finishedAt, new Date(now.getTime() - EXPORT_KEEP_HOURS * 3_600_000))));
  for (const { id } of old) {
    fs.rmSync(finalFile(dir, id), { force: true });
    fs.rmSync(stagingFile(dir, id), { force: true });
    await db.delete(exportJobs).where(eq(exportJobs.id, id));
  }
  return { removed: old.length, failed: dead.length };
}
