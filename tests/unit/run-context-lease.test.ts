// A run whose worker can no longer reach the database stops once its lease has run out unrenewed ('lease-lost'), so
// that when the database is back and another worker claims the run, it is never trained twice at once. Until then
// a failed heartbeat is not a reason to stop (a busy database, a blip).
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDatabase } from "../../db/index";
import { createRun } from "../../server/services/runs";
import { createRunContext } from "../../trainer/runs/context";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb("rlhf-lease-");
});
afterEach(async () => {
  await t.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("keeps running through failed heartbeats within the lease, and stops as lease-lost after it", async () => {
  const leaseMs = 1200;
  const run = await createRun(t.db, { kind: "sft", startedBy: { workerId: "w1", leaseMs } });
  const live = createRunContext(t.db, run, {}, { base: null, reward: null }, { workerId: "w1", leaseMs });
  try {
    await sleep(400);
    expect(live.stopReason()).toBeNull();
    // The database goes away: every heartbeat from now on fails.
    await closeDatabase(t.db);
    await sleep(500);
    expect(live.stopReason()).toBeNull(); // still within the lease
    await sleep(leaseMs + 400);
    expect(live.stopReason()).toBe("lease-lost");
    expect(live.ctx.isCancelled()).toBe(true);
  } finally {
    await live.close().catch(() => {});
  }
});
