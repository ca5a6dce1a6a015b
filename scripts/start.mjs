// `npm start`: make sure ./data exists, build the app when the build is missing or stale, then run `next start`
// on $PORT (default 3000) with NEXTAUTH_URL defaulting to that origin, and beside it the training worker
// (`rlhf worker`, restarted with a backoff when it crashes; RLHF_WORKER=0 turns it off). Signals stop both.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale, stopActiveBuild } from "./next-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const port = process.env.PORT?.trim() || "3000";
process.env.PORT = port;
process.env.NEXTAUTH_URL ||= `http://localhost:${port}`;
process.env.NEXT_TELEMETRY_DISABLED ||= "1";

fs.mkdirSync(path.resolve(process.env.RLHF_HOME?.trim() || "data"), { recursive: true });
fs.mkdirSync(path.resolve("data"), { recursive: true });

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** How long the worker may take to finish its current step after a stop signal before it is killed. */
const WORKER_GRACE_MS = 15_000;
const WORKER_BACKOFF_MS = { first: 1_000, max: 60_000 };
/** A worker that stayed up this long was healthy; its next crash starts the backoff over. */
const WORKER_HEALTHY_MS = 60_000;

let server = null;
let worker = null;
let workerTimer = null;
let stopping = false;
let exitCode = 0;

/** Prefixes each line of a child's output so worker lines are told apart from the web server's. */
function prefixLines(stream, out, prefix) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split(/\r?\n|\r/);
    rest = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) out.write(`${prefix}${line}\n`);
  });
  stream.on("end", () => rest.trim() && out.write(`${prefix}${rest}\n`));
}

function startWorker(backoffMs = WORKER_BACKOFF_MS.first) {
  workerTimer = null;
  if (stopping) return;
  const startedAt = Date.now();
  const child = spawn(process.execPath, [path.join(root, "trainer", "bin", "rlhf.mjs"), "worker"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  worker = child;
  prefixLines(child.stdout, process.stdout, "[worker] ");
  prefixLines(child.stderr, process.stderr, "[worker] ");
  let handled = false;
  const onGone = (why) => {
    if (handled) return;
    handled = true;
    if (worker === child) worker = null;
    if (stopping) return finishIfDone();
    const next = Date.now() - startedAt > WORKER_HEALTHY_MS ? WORKER_BACKOFF_MS.first : backoffMs;
    console.error(`[worker] ${why}; restarting it in ${next / 1000}s (the web app keeps running)`);
    workerTimer = setTimeout(() => startWorker(Math.min(next * 2, WORKER_BACKOFF_MS.max)), next);
  };
  child.on("error", (err) => onGone(`could not start: ${err.message}`));
  child.on("exit", (code, signal) => onGone(`exited with ${signal ?? `code ${code}`}`));
}

/** Waits until the web server answers (it migrates the database first), so the worker never races the migration. */
async function waitForServer(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping && server?.exitCode === null) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

function finishIfDone() {
  if ((!server || server.exitCode !== null || server.signalCode !== null) && !worker) process.exit(exitCode);
}

/** Stops both children: the server at once, the worker after its current step (killed after a grace period). */
function stopAll(signal, code) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  if (workerTimer) clearTimeout(workerTimer);
  if (server && server.exitCode === null) server.kill(signal);
  if (worker) {
    const w = worker;
    w.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
    setTimeout(() => w.exitCode === null && w.signalCode === null && w.kill("SIGKILL"), WORKER_GRACE_MS).unref();
  }
  finishIfDone();
}

// Signals go to whatever runs now: the build, then the server and the worker. Without a child we simply exit.
for (const signal of Object.keys(SIGNAL_EXIT_CODES)) {
  process.on(signal, () => {
    if (server) stopAll(signal, SIGNAL_EXIT_CODES[signal]);
    else if (!stopActiveBuild(signal)) process.exit(SIGNAL_EXIT_CODES[signal]);
  });
}

try {
  if (await buildIfStale(root)) console.log("Build finished.");
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

console.log(`Starting RLHF Workbench on ${process.env.NEXTAUTH_URL}`);
// Next.js under our own http server, which tells the app each client's real address (scripts/web-server.mjs).
server = spawn(process.execPath, [path.join(root, "scripts", "web-server.mjs"), "--port", port], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
server.on("exit", (code, signal) => {
  // The web server is the product: when it stops, stop the worker too and exit with the server's status.
  const status = signal ? (SIGNAL_EXIT_CODES[signal] ?? 1) : (code ?? 0);
  if (!stopping) stopAll("SIGTERM", status);
  finishIfDone();
});

if (process.env.RLHF_WORKER?.trim() === "0") {
  console.log("RLHF_WORKER=0: no training worker; queued runs wait for 'npm run rlhf worker'.");
} else {
  await waitForServer();
  if (!stopping) {
    console.log("Starting the training worker (set RLHF_WORKER=0 to run without one).");
    startWorker();
  }
}
