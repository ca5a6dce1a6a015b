// Run bookkeeping: the queue (claimed with a lease, so a dead worker's run goes back), progress, metrics, logs,
// and the atomic finish that registers the output model. Used by the CLI, the worker and the web app alike.
import { and, asc, desc, eq, gt, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../../db/index";
import { rowsChanged } from "../../db/sql-fragments";
import { skipLocked } from "../../db/statements";
import { runLogs, runMetrics, runs, type RunStatus } from "../../db/schema";
import { storable } from "./text-limits";
import { badRequest, conflict, notFound } from "./errors";
import { registerModel, type ModelRow, type NewModel } from "./models";
import type { RunKind } from "./run-kinds/index";

/** A run row; `kind` is stored as text and only ever written from RunKind (createRun), so it reads back as one. */
export type RunRow = Omit<typeof runs.$inferSelect, "kind"> & { kind: RunKind };

/** How long a claim lasts without a heartbeat before another worker may take the run over. */
export const DEFAULT_LEASE_MS = 60_000;

export interface NewRun {
  kind: RunKind;
  name?: string | null;
  config?: Record<string, unknown>;
  /** The project the run reads and writes; null for a run over every project. */
  projectId?: string | null;
  baseModelId?: string | null;
  rewardModelId?: string | null;
  createdBy?: string | null;
  /** In-process runs start as `running`, claimed by `workerId`; queued runs wait for a worker. */
  startedBy?: { workerId: string; leaseMs?: number };
}

export async function createRun(db: Db, input: NewRun): Promise<RunRow> {
  const now = Date.now();
  const claim = input.startedBy;
  return (await db
    .insert(runs)
    .values({
      kind: input.kind,
      name: input.name ?? null,
      config: input.config ?? {},
      projectId: input.projectId ?? null,
      baseModelId: input.baseModelId ?? null,
      rewardModelId: input.rewardModelId ?? null,
      createdBy: input.createdBy ?? null,
      status: claim ? "running" : "queued",
      workerId: claim?.workerId ?? null,
      leaseExpiresAt: claim ? new Date(now + (claim.leaseMs ?? DEFAULT_LEASE_MS)) : null,
      heartbeatAt: claim ? new Date(now) : null,
      startedAt: claim ? new Date(now) : null,
    })
    .returning())[0] as RunRow;
}

/**
 * Claims the oldest queued run, or a running one whose worker stopped heartbeating, in one transaction, so two
 * workers never take the same run: on SQLite the transaction holds the one write lock; on PostgreSQL the row is
 * read `for update skip locked`, so a worker passes over a run another is claiming and takes the next one.
 */
export async function claimNextRun(db: Db, workerId: string, leaseMs = DEFAULT_LEASE_MS): Promise<RunRow | undefined> {
  return await db.transaction(async (tx) => {
    const now = new Date();
    const next = (await skipLocked(
      db,
      tx
        .select()
        .from(runs)
        .where(or(eq(runs.status, "queued"), and(eq(runs.status, "running"), lt(runs.leaseExpiresAt, now))))
        .orderBy(asc(runs.createdAt))
        .limit(1),
    ))[0];
    if (!next) return undefined;
    return (await tx
      .update(runs)
      .set({
        status: "running",
        workerId,
        leaseExpiresAt: new Date(now.getTime() + leaseMs),
        heartbeatAt: now,
        startedAt: next.startedAt ?? now,
        error: null,
      })
      .where(eq(runs.id, next.id))
      .returning())[0] as RunRow;
  });
}

/** Extends the lease. False when the run was cancelled or another worker now holds it: the caller must stop. */
export async function heartbeat(db: Db, runId: string, workerId: string, leaseMs = DEFAULT_LEASE_MS): Promise<boolean> {
  const now = Date.now();
  const res = await db
    .update(runs)
    .set({ heartbeatAt: new Date(now), leaseExpiresAt: new Date(now + leaseMs) })
    .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, "running")));
  return rowsChanged(res) === 1;
}

export async function setProgress(db: Db, runId: string, fraction: number): Promise<void> {
  const p = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  await db.update(runs).set({ progress: p }).where(eq(runs.id, runId));
}

/** Stores one step's metrics in one transaction; non-finite values are skipped rather than poisoning charts. */
export async function logMetrics(db: Db, runId: string, step: number, metrics: Record<string, number>): Promise<void> {
  const rows = Object.entries(metrics)
    .filter(([, v]) => Number.isFinite(v))
    .map(([name, value]) => ({ runId, step, name, value }));
  if (rows.length) await db.insert(runMetrics).values(rows);
}

export async function appendLog(db: Db, runId: string, message: string, level: "info" | "warn" | "error" = "info"): Promise<void> {
  await db.insert(runLogs).values({ runId, message: storable(message.slice(0, 4000)), level });
}

/**
 * Registers the output model and marks the run succeeded, together or not at all. A run cancelled (or taken over)
 * at the last moment is not overwritten: that throws, and nothing is registered.
 */
export async function completeRun(db: Db, runId: string, output?: Omit<NewModel, "runId">): Promise<ModelRow | undefined> {
  return await db.transaction(async (tx) => {
    const done = await tx
      .update(runs)
      .set({ status: "succeeded", progress: 1, finishedAt: new Date(), leaseExpiresAt: null })
      .where(and(eq(runs.id, runId), eq(runs.status, "running")));
    if (rowsChanged(done) !== 1) throw conflict(`run ${runId} is no longer running (${(await getRun(tx as unknown as Db, runId)).status}); its output was not registered`);
    const model = output ? await registerModel(tx as unknown as Db, { ...output, runId }) : undefined;
    if (model) await tx.update(runs).set({ outputModelId: model.id }).where(eq(runs.id, runId));
    return model;
  });
}

/** Back to `queued` (lease and worker cleared), only while this worker still holds it running. True when requeued. */
export async function requeueRun(db: Db, runId: string, workerId: string): Promise<boolean> {
  const res = await db
    .update(runs)
    .set({ status: "queued", workerId: null, leaseExpiresAt: null, heartbeatAt: null })
    .where(and(eq(runs.id, runId), eq(runs.status, "running"), eq(runs.workerId, workerId)));
  return rowsChanged(res) === 1;
}

export async function failRun(db: Db, runId: string, error: string): Promise<void> {
  await db.update(runs)
    .set({ status: "failed", error: storable(error.slice(0, 2000)), finishedAt: new Date(), leaseExpiresAt: null })
    .where(and(eq(runs.id, runId), inArray(runs.status, ["queued", "running"])));
}

/** Cancels a queued or running run; a running one stops at its next cancellation check. */
export async function cancelRun(db: Db, runId: string): Promise<RunRow> {
  const run = await getRun(db, runId);
  if (run.status !== "queued" && run.status !== "running")
    throw conflict(`run ${runId} has already ${run.status === "cancelled" ? "been cancelled" : run.status}`);
  return (await db
    .update(runs)
    .set({ status: "cancelled", finishedAt: new Date(), leaseExpiresAt: null })
    .where(eq(runs.id, runId))
    .returning())[0] as RunRow;
}

export async function isCancelled(db: Db, runId: string): Promise<boolean> {
  return (await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId)))[0]?.status === "cancelled";
}

export async function getRun(db: Db, runId: string): Promise<RunRow> {
  const run = (await db.select().from(runs).where(eq(runs.id, runId)))[0];
  if (!run) throw notFound(`no run with id '${runId}'; 'rlhf runs list' shows the runs`);
  return run as RunRow;
}

export async function listRuns(db: Db, opts: { status?: RunStatus; limit?: number } = {}): Promise<RunRow[]> {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest("limit must be between 1 and 1000");
  const q = db.select().from(runs);
  return await (opts.status ? q.where(eq(runs.status, opts.status)) : q).orderBy(desc(runs.createdAt)).limit(limit) as RunRow[];
}

/** Metrics of a run as one series per name, in step order: what the charts draw. */
export async function runMetricSeries(db: Db, runId: string): Promise<Record<string, { step: number; value: number }[]>> {
  const rows = await db
    .select({ name: runMetrics.name, step: runMetrics.step, value: runMetrics.value })
    .from(runMetrics)
    .where(eq(runMetrics.runId, runId))
    .orderBy(asc(runMetrics.name), asc(runMetrics.step));
  const series: Record<string, { step: number; value: number }[]> = {};
  for (const r of rows) (series[r.name] ??= []).push({ step: r.step, value: r.value });
  return series;
}

/** The run's log lines after `afterId` (for tailing). */
export async function runLogLines(db: Db, runId: string, afterId = 0, limit = 500) {
  return await db
    .select()
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), gt(runLogs.id, afterId)))
    .orderBy(asc(runLogs.id))
    .limit(limit);
}
