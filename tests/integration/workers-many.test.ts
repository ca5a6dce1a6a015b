// Two `rlhf worker` processes on one queue of twenty tiny SFT runs: every run is claimed by exactly one worker and
// ends succeeded, and both workers take some. This is the check that the run claim (FOR UPDATE SKIP LOCKED on
// PostgreSQL, the one write lock on SQLite) hands a run to one process only.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Db } from "../../db/index";
import { runLogs, runs } from "../../db/schema";
import { createRunFromRequest } from "../../server/services/run-creation";
import { tinyModelDatabase, seedDemonstrations } from "./trainer-fixtures";

const RLHF_BIN = path.resolve(__dirname, "../../trainer/bin/rlhf.mjs");
const RUNS = 20;

let db: Db;
const fixture = tinyModelDatabase("rlhf-workers-many-", seedDemonstrations);
beforeAll(() => void (db = fixture.db));

interface Worker {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

/** `rlhf worker` (not --once: it must already be polling when the runs arrive) in a child process of its own. */
function startWorker(): Worker {
  const child = spawn(process.execPath, [RLHF_BIN, "worker", "--poll-ms", "100", "--json"], {
    env: { ...process.env, RLHF_BACKEND: "wasm" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const w: Worker = { child, stdout: "", stderr: "", exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
  child.stdout!.on("data", (c) => (w.stdout += String(c)));
  child.stderr!.on("data", (c) => (w.stderr += String(c)));
  return w;
}

async function waitFor(what: string, ready: () => boolean | Promise<boolean>, ms: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("two workers on one queue", () => {
  it("run each of twenty queued runs exactly once, both taking some", async () => {
    const workers = [startWorker(), startWorker()];
    const tails = () => workers.map((w, i) => `worker ${i}: ${w.stderr.slice(-600)}`).join("\n");
    try {
      // Both poll before the first run exists, so the second is not still loading while the first drains the queue.
      await waitFor("both workers to poll", () => workers.every((w) => /waiting for runs/.test(w.stderr)), 30_000, tails);
      const config = { max_steps: 1, batch_size: 2, eval_steps: 1 };
      const created: string[] = [];
      for (let i = 0; i < RUNS; i++) created.push((await createRunFromRequest(db, { kind: "sft", base: "tiny", config, name: `many-${i}` })).id);

      const finished = async () => (await db.select({ status: runs.status }).from(runs).where(inArray(runs.id, created))).every((r) => r.status !== "queued" && r.status !== "running");
      await waitFor("every run to finish", finished, 60_000, tails);
    } finally {
      for (const w of workers) w.child.kill("SIGTERM");
    }
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes, tails()).toEqual([0, 0]);

    // Each worker's own account of what it ran (its --json summary), against the database's.
    const reports = workers.map((w) => JSON.parse(w.stdout.trim().split("\n").pop()!) as { worker_id: string; runs: { run: string; status: string }[] });
    const ranBy = new Map<string, string[]>();
    for (const r of reports) for (const run of r.runs) ranBy.set(run.run, [...(ranBy.get(run.run) ?? []), r.worker_id]);
    const rows = await db.select().from(runs).where(inArray(runs.id, [...ranBy.keys()]));
    expect(rows).toHaveLength(RUNS);
    for (const row of rows) {
      expect(row.status, `${row.id}: ${row.error}`).toBe("succeeded");
      expect(ranBy.get(row.id), row.id).toEqual([row.workerId]);
    }
    // A run's log says "started on <worker>" each time a worker begins it: once, by the worker the row names.
    const logs = await db.select({ runId: runLogs.runId, message: runLogs.message }).from(runLogs).where(inArray(runLogs.runId, rows.map((r) => r.id)));
    for (const row of rows) expect(logs.filter((l) => l.runId === row.id && / started on /.test(l.message)).map((l) => l.message.split(" started on ")[1]!.split(" ")[0]), row.id).toEqual([row.workerId]);
    const counts = reports.map((r) => r.runs.length);
    expect(counts.every((n) => n > 0), `runs per worker: ${counts.join(", ")}`).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(RUNS);
  });
});
