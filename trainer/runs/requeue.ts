// Puts a run this worker was executing back in the queue (worker shutdown with a resumable checkpoint saved).
// A thin adapter over the runs table until services/runs.ts has a requeueRun of its own.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { runs } from "../../db/schema";

/** Back to `queued` (lease and worker cleared), only if this worker still holds it running. True when requeued. */
export function requeueRun(db: Db, runId: string, workerId: string): boolean {
  const res = db
    .update(runs)
    .set({ status: "queued", workerId: null, leaseExpiresAt: null, heartbeatAt: null })
    .where(and(eq(runs.id, runId), eq(runs.status, "running"), eq(runs.workerId, workerId)))
    .run();
  return res.changes === 1;
}
