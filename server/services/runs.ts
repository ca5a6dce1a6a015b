// Run bookkeeping: the queue (claimed with a lease, so a dead worker's run goes back), progress, metrics, logs,
// and the atomic finish that registers the output model. Used by the CLI, the worker and the web app alike.
import { and, asc, desc, eq, gt, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../../db/index";
import { runLogs, runMetrics, runs, type RunStatus } from "../../db/schema";
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

export function createRun(db: Db, input: NewRun): RunRow {
  const now = Date.now();
  const claim = input.startedBy;
  return db
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
    .returning()
    .get() as RunRow;
}

/**
 * Claims the oldest queued run, or a running one whose worker stopped heartbeating, in one transaction
 * (so two workers never take the same run).
 */
export function claimNextRun(db: Db, workerId: string, leaseMs = DEFAULT_LEASE_MS): RunRow | undefined {
  return db.transaction((tx) => {
    const now = new Date();
    const next = tx
      .select()
      .from(runs)
      .where(or(eq(runs.status, "queued"), and(eq(runs.status, "running"), lt(runs.leaseExpiresAt, now))))
      .orderBy(asc(runs.createdAt))
      .limit(1)
      .get();
    if (!next) return undefined;
    return tx
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
      .returning()
      .get() as RunRow;
  });
}

/** Extends the lease. False when the run was cancelled or another worker now holds it: the caller must stop. */
export function heartbeat(db: Db, runId: string, workerId: string, leaseMs = DEFAULT_LEASE_MS): boolean {
  const now = Date.now();
  const res = db
    .update(runs)
    .set({ heartbeatAt: new Date(now), leaseExpiresAt: new Date(now + leaseMs) })
    .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, "running")))
    .run();
  return res.changes === 1;
}

export function setProgress(db: Db, runId: string, fraction: number): void {
  const p = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  db.update(runs).set({ progress: p }).where(eq(runs.id, runId)).run();
}

/** Stores one step's metrics in one transaction; non-finite values are skipped rather than poisoning charts. */
export function logMetrics(db: Db, runId: string, step: number, metrics: Record<string, number>): void {
  const rows = Object.entries(metrics)
    .filter(([, v]) => Number.isFinite(v))
    .map(([name, value]) => ({ runId, step, name, value }));
  if (rows.length) db.insert(runMetrics).values(rows).run();
}

export function appendLog(db: Db, runId: string, message: string, level: "info" | "warn" | "error" = "info"): void {
  db.insert(runLogs).values({ runId, message: message.slice(0, 4000), level }).run();
}

/**
 * Registers the output model and marks the run succeeded, together or not at all. A run cancelled (or taken over)
 * at the last moment is not overwritten: that throws, and nothing is registered.
 */
export function completeRun(db: Db, runId: string, output?: Omit<NewModel, "runId">): ModelRow | undefined {
  return db.transaction((tx) => {
    const done = tx
      .update(runs)
      .set({ status: "succeeded", progress: 1, finishedAt: new Date(), leaseExpiresAt: null })
      .where(and(eq(runs.id, runId), eq(runs.status, "running")))
      .run();
    if (done.changes !== 1) throw conflict(`run ${runId} is no longer running (${getRun(tx as unknown as Db, runId).status}); its output was not registered`);
    const model = output ? registerModel(tx as unknown as Db, { ...output, runId }) : undefined;
    if (model) tx.update(runs).set({ outputModelId: model.id }).where(eq(runs.id, runId)).run();
    return model;
  });
}

/** Back to `queued` (lease and worker cleared), only while this worker still holds it running. True when requeued. */
export function requeueRun(db: Db, runId: string, workerId: string): boolean {
  const res = db
    .update(runs)
    .set({ status: "queued", workerId: null, leaseExpiresAt: null, heartbeatAt: null })
    .where(and(eq(runs.id, runId), eq(runs.status, "running"), eq(runs.workerId, workerId)))
    .run();
  return res.changes === 1;
}

export function failRun(db: Db, runId: string, error: string): void {
  db.update(runs)
    .set({ status: "failed", error: error.slice(0, 2000), finishedAt: new Date(), leaseExpiresAt: null })
    .where(and(eq(runs.id, runId), inArray(runs.status, ["queued", "running"])))
    .run();
}

/** Cancels a queued or running run; a running one stops at its next cancellation check. */
export function cancelRun(db: Db, runId: string): RunRow {
  const run = getRun(db, runId);
  if (run.status !== "queued" && run.status !== "running")
    throw conflict(`run ${runId} has already ${run.status === "cancelled" ? "been cancelled" : run.status}`);
  return db
    .update(runs)
    .set({ status: "cancelled", finishedAt: new Date(), leaseExpiresAt: null })
    .where(eq(runs.id, runId))
    .returning()
    .get() as RunRow;
}

export function isCancelled(db: Db, runId: string): boolean {
  return db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId)).get()?.status === "cancelled";
}

export function getRun(db: Db, runId: string): RunRow {
  const run = db.select().from(runs).where(eq(runs.id, runId)).get();
  if (!run) throw notFound(`no run with id '${runId}'; 'rlhf runs list' shows the runs`);
  return run as RunRow;
}

export function listRuns(db: Db, opts: { status?: RunStatus; limit?: number } = {}): RunRow[] {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest("limit must be between 1 and 1000");
  const q = db.select().from(runs);
  return (opts.status ? q.where(eq(runs.status, opts.status)) : q).orderBy(desc(runs.createdAt)).limit(limit).all() as RunRow[];
}

/** Metrics of a run as one series per name, in step order: what the charts draw. */
export function runMetricSeries(db: Db, runId: string): Record<string, { step: number; value: number }[]> {
  const rows = db
    .select({ name: runMetrics.name, step: runMetrics.step, value: runMetrics.value })
    .from(runMetrics)
    .where(eq(runMetrics.runId, runId))
    .orderBy(asc(runMetrics.name), asc(runMetrics.step))
    .all();
  const series: Record<string, { step: number; value: number }[]> = {};
  for (const r of rows) (series[r.name] ??= []).push({ step: r.step, value: r.value });
  return series;
}

/** The run's log lines after `afterId` (for tailing). */
export function runLogLines(db: Db, runId: string, afterId = 0, limit = 500) {
  return db
    .select()
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), gt(runLogs.id, afterId)))
    .orderBy(asc(runLogs.id))
    .limit(limit)
    .all();
}
