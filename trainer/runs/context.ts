// Builds the RunContext an algorithm runs with: run log + metrics + throttled progress in the database, a progress
// bar on stderr, cancellation checks, and a heartbeat that keeps this worker's lease on the run.
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../db/index";
import { dataHome } from "../../db/paths";
import { appendLog, DEFAULT_LEASE_MS, heartbeat, isCancelled, logMetrics, setProgress, type RunRow } from "../../server/services/runs";
import { PerfMeter } from "./perf";
import { ProgressBar } from "./progress";
import { RunCancelledError } from "./errors";
import type { ModelInput, RunContext } from "./types";

export interface ContextOptions {
  workerId: string;
  leaseMs?: number;
  /** Echo log lines to stderr (the CLI running a run in-process). */
  echo?: (line: string) => void;
  /** Draw a progress bar on stderr. */
  progressBar?: boolean;
  /** Set by the worker on SIGINT/SIGTERM: the algorithm stops at its next check. */
  stopRequested?: (run: { step: number }) => boolean;
}

/** A context plus the handle the framework uses to stop its timers. */
export interface LiveContext<C> {
  ctx: RunContext<C>;
  /** Why the run stopped early, when it did: 'cancelled' (by a user), 'lease-lost', 'stopped' (worker shutdown). */
  stopReason(): "cancelled" | "lease-lost" | "stopped" | null;
  /** Waits for every queued write (log lines, metrics, progress) to land; throws the first that failed. */
  flush(): Promise<void>;
  /** Stops the timers and lets the queued writes land. */
  close(): Promise<void>;
}

/** The scratch folder of a run: resumable checkpoints live here until the run ends. */
export function runScratchDir(runId: string): string {
  return path.join(dataHome(), "runs", runId);
}

export function createRunContext<C>(
  db: Db,
  run: RunRow,
  config: C,
  inputs: { base: ModelInput | null; reward: ModelInput | null },
  opts: ContextOptions,
): LiveContext<C> {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  let stop: "cancelled" | "lease-lost" | "stopped" | null = null;
  let lastCancelCheck = 0;
  /** The last training step reported (for a stop predicate that asks where the run is). */
  let lastTrainStep = 0;
  let lastProgressWrite = 0;
  let lastProgress = -1;
  let bar: ProgressBar | null = null;
  let barTotal = 100;
  let barUnit = "%";
  const perf = new PerfMeter();
  // The trainers report synchronously between steps; the writes go to the database in order, off their path. A
  // failed write is kept and thrown by the next report, so a lost database still stops the run.
  let writes: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  const enqueue = (write: () => Promise<unknown>) => {
    if (writeError) {
      const err = writeError;
      writeError = null;
      throw err;
    }
    writes = writes.then(write).then(
      () => {},
      (err: unknown) => void (writeError ??= err),
    );
  };

  let lastBeat = Date.now();
  const beat = async () => {
    if (stop) return;
    try {
      if (!await heartbeat(db, run.id, opts.workerId, leaseMs)) stop = await isCancelled(db, run.id) ? "cancelled" : "lease-lost";
      else lastBeat = Date.now();
    } catch {
      // A busy database must not kill the run; the next beat tries again well within the lease. But once the lease has
      // run out unrenewed (the database is gone), another worker may claim the run when it is back: this one stops,
      // so the run is never trained twice at once.
      if (Date.now() - lastBeat > leaseMs) stop = "lease-lost";
    }
  };
  // Beats at a quarter of the lease: between training steps the event loop runs timers, so three can be missed.
  const timer = setInterval(beat, Math.max(250, Math.floor(leaseMs / 4)));
  timer.unref();

  // Asked between steps, synchronously: the answer is what is known now, and a database check (at most once a
  // second) runs in the background, so a cancel is seen a step later.
  const checkStop = (): boolean => {
    if (stop) return true;
    if (opts.stopRequested?.({ step: lastTrainStep })) stop = "stopped";
    const now = Date.now();
    if (!stop && now - lastCancelCheck > 1000) {
      lastCancelCheck = now;
      isCancelled(db, run.id).then(
        (cancelled) => void (cancelled && !stop && (stop = "cancelled")),
        () => {}, // a busy database: the next check asks again
      );
    }
    return stop !== null;
  };

  const ensureBar = () => {
    if (!opts.progressBar) return null;
    bar ??= new ProgressBar({ total: barTotal, label: run.kind, unit: barUnit });
    return bar;
  };

  const ctx: RunContext<C> = {
    db,
    run,
    runId: run.id,
    config,
    base: inputs.base,
    reward: inputs.reward,
    scratchDir: runScratchDir(run.id),
    log(message, level = "info") {
      enqueue(() => appendLog(db, run.id, message, level));
      if (opts.echo) {
        // Keep a TTY bar intact: finish its line before printing.
        if (bar && process.stderr.isTTY) process.stderr.write("\r\x1b[K");
        opts.echo(message);
      }
    },
    reportMetrics(step, metrics) {
      // Training steps carry the perf figures too; eval-only reports do not (their interval is not a step's).
      const evalOnly = Object.keys(metrics).every((k) => k.startsWith("eval/") || k === "epoch");
      const row = evalOnly ? metrics : { ...metrics, ...perf.metrics() };
      if (!evalOnly) lastTrainStep = step;
      enqueue(() => logMetrics(db, run.id, step, row));
    },
    countTokens(tokens) {
      perf.count(tokens);
    },
    progress(fraction, metrics) {
      const f = Math.min(1, Math.max(0, fraction));
      ensureBar()?.update(Math.round(f * barTotal), { ...metrics, ...perf.barFigures() });
      const now = Date.now();
      // The web UI polls progress; a write per second (or per percent) is plenty.
      if (f === 1 || now - lastProgressWrite > 1000 || f - lastProgress >= 0.01) {
        enqueue(() => setProgress(db, run.id, f));
        lastProgressWrite = now;
        lastProgress = f;
      }
    },
    setProgressTotal(total, unit = "step") {
      barTotal = Math.max(1, Math.round(total));
      barUnit = unit;
      bar = null;
    },
    isCancelled: checkStop,
    throwIfCancelled() {
      if (checkStop()) throw new RunCancelledError(stop === "cancelled" ? "run cancelled" : `run stopped (${stop})`);
    },
  };
  fs.mkdirSync(ctx.scratchDir, { recursive: true });
  return {
    ctx,
    stopReason: () => stop,
    async flush() {
      await writes;
      if (writeError) {
        const err = writeError;
        writeError = null;
        throw err;
      }
    },
    async close() {
      clearInterval(timer);
      (bar as ProgressBar | null)?.done();
      try {
        ctx.log(perf.summary());
      } catch {
        // An earlier write failed; the run has already ended with that error.
      }
      await writes;
      writeError = null; // the log is a courtesy here: a closed database must not turn a finished run into a failure
    },
  };
}
