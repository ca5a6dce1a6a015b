// Moves SQLite's WAL checkpoints off the web server's event loop. A checkpoint copies the WAL back into the
// database and fsyncs it; on this kind of disk that fsync takes tens of milliseconds, and with the default
// auto-checkpoint it runs inside whichever request happens to commit the 1000th page, stalling every request
// behind it. Here a worker thread with its own connection checkpoints every half second instead.
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Db } from "../db/index";
import { dialectOf } from "../db/statements";

/** Plain CommonJS for the worker (eval'd, so no bundler or TypeScript loader is involved). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 2000");
const timer = setInterval(() => {
  try {
    // PASSIVE copies and fsyncs without blocking the writer. Under steady writes it never quite catches up, so
    // once the log is long a RESTART finishes the last few frames (briefly holding the writer) and lets the
    // next write start the log from the beginning again.
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
    if (passive && passive.log > workerData.restartFrames) db.pragma("wal_checkpoint(RESTART)");
  } catch (err) {
    // Busy or locked: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "stop") {
    clearInterval(timer);
    db.close();
    process.exit(0);
  }
});
`;

const globalForCheckpointer = globalThis as unknown as { __rlhfCheckpointer?: { client: object; worker: Worker } };

/**
 * Starts the background checkpointer for this connection's file, once per process, and turns off the
 * connection's own auto-checkpoint. If the worker cannot start or dies, auto-checkpoint is switched back on.
 */
export function startWalCheckpointer(db: Db, opts: { intervalMs?: number } = {}): void {
  // RLHF_WAL_CHECKPOINTER=0 keeps SQLite's own auto-checkpoint (for comparison, or a filesystem without fsync cost).
  if (process.env.RLHF_WAL_CHECKPOINTER === "0") return;
  // PostgreSQL checkpoints on its own; there is no WAL file of ours to keep short.
  if (dialectOf(db) !== "sqlite") return;
  const running = globalForCheckpointer.__rlhfCheckpointer;
  if (running?.client === db.$client) return;
  if (running) void running.worker.terminate();
  const client = db.$client;
  const file = client.name;
  if (!file || file === ":memory:" || client.memory) return;
  const restoreAutoCheckpoint = () => {
    if (client.open) client.pragma("wal_autocheckpoint = 1000");
  };
  try {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: driverPath(), intervalMs: opts.intervalMs ?? 500, restartFrames: 4000 },
    });
    worker.unref();
    worker.on("error", restoreAutoCheckpoint);
    worker.on("exit", restoreAutoCheckpoint);
    client.pragma("wal_autocheckpoint = 0");
    // After a restart the WAL file is cut back to 64 MB, so one burst does not keep a huge file around.
    client.pragma("journal_size_limit = 67108864");
    globalForCheckpointer.__rlhfCheckpointer = { client, worker };
  } catch {
    restoreAutoCheckpoint();
  }
}

/** Stops it (tests, shutdown); the connection checkpoints on its own again. */
export async function stopWalCheckpointer(): Promise<void> {
  const running = globalForCheckpointer.__rlhfCheckpointer;
  globalForCheckpointer.__rlhfCheckpointer = undefined;
  if (!running) return;
  running.worker.postMessage("stop");
  await new Promise((resolve) => running.worker.once("exit", resolve));
}

/** The driver's path for the worker: the repository's node_modules (the working directory of `next start`). */
function driverPath(): string {
  const local = path.join(process.cwd(), "node_modules", "better-sqlite3");
  return fs.existsSync(local) ? local : "better-sqlite3";
}
