// The job worker: claims queued runs (or runs whose worker died and whose lease ran out) one at a time and executes
// them, until stopped (SIGINT/SIGTERM) or, with `once`, until the queue is empty.
import { databaseUnavailable, isDatabaseBusy } from "../db/postgres";
import type { Db } from "../db/index";
import { claimNextRun, DEFAULT_LEASE_MS } from "../server/services/runs";
import { defaultWorkerId, executeRun, type RunResult } from "./runs/execute";

export interface WorkerOptions {
  workerId?: string;
  /** Stop as soon as no run is waiting (instead of polling forever). */
  once?: boolean;
  /** Milliseconds between queue polls when idle. */
  pollMs?: number;
  leaseMs?: number;
  log?: (line: string) => void;
  progressBar?: boolean;
  /** Stop after the current run when this turns true (wired to SIGINT/SIGTERM by the CLI). */
  /** Asked between steps of a run (with the step it reached) and between runs: stop when true. */
  shouldStop?: (run?: { step: number }) => boolean;
}

export interface WorkerSummary {
  workerId: string;
  results: RunResult[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs queued runs until told to stop; returns what it ran. */
export async function runWorker(db: Db, opts: WorkerOptions = {}): Promise<WorkerSummary> {
  const workerId = opts.workerId ?? defaultWorkerId();
  const log = opts.log ?? (() => {});
  const results: RunResult[] = [];
  const stop = opts.shouldStop ?? (() => false);
  log(`worker ${workerId} waiting for runs`);
  // Playground generations are answered beside the runs, so a long training run does not keep the playground waiting.
  const { serveGenerations } = await import("./playground/answer");
  let runsDone = false;
  const generationsLoop = opts.once
    ? null
    : serveGenerations(db, { workerId, shouldStop: () => stop() || runsDone, log }).catch((err: unknown) => log(`playground loop stopped: ${String(err)}`));
  try {
    while (!stop()) {
      let run: Awaited<ReturnType<typeof claimNextRun>>;
      try {
        run = await claimNextRun(db, workerId, opts.leaseMs ?? DEFAULT_LEASE_MS);
      } catch (err) {
        // The database is down (or busy): say so once a poll, and keep polling until it is back.
        if (!databaseUnavailable(err) && !isDatabaseBusy(err)) throw err;
        log(`waiting for the database: ${databaseUnavailable(err)?.message ?? String((err as Error).message).split("\n")[0]}`);
        run = undefined;
        if (opts.once) break;
      }
      if (!run) {
        if (opts.once) break;
        // Sleep in short slices so a stop request is honoured quickly.
        for (let waited = 0; waited < (opts.pollMs ?? 2000) && !stop(); waited += 200) await sleep(200);
        continue;
      }
      log(`claimed ${run.kind} run ${run.id}`);
      const result = await executeRun(db, run, {
        workerId,
        leaseMs: opts.leaseMs,
        echo: log,
        progressBar: opts.progressBar,
        stopRequested: stop,
      });
      log(result.error ? `run ${run.id} ${result.run.status}: ${result.error}` : `run ${run.id} succeeded${result.model ? ` → model '${result.model.name}'` : ""}`);
      results.push(result);
    }
  } finally {
    runsDone = true;
    await generationsLoop;
  }
  // `--once` drains waiting playground generations too, after the runs.
  if (opts.once) await serveGenerations(db, { workerId, shouldStop: stop, once: true, log });
  return { workerId, results };
}

