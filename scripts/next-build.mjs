// Builds the Next.js app only when needed: .next/BUILD_ID is missing or older than any source the app is built
// from. A lock directory keeps two processes (npm start, a test run) from building into .next at once.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const SOURCE_DIRS = ["app", "server", "db", "public"];
const SOURCE_FILES = ["instrumentation.ts", "next.config.mjs", "package.json", "tsconfig.json", "postcss.config.mjs"];
const SKIP = new Set(["node_modules", ".next", "data", "migrations-tmp"]);

/** Newest modification time (ms) of anything under dir, skipping build output and dependencies. */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `next build` must run before `next start`. */
export function buildIsStale(root) {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  let newest = 0;
  for (const dir of SOURCE_DIRS) newest = Math.max(newest, newestMtime(path.join(root, dir)));
  for (const file of SOURCE_FILES) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest > builtAt;
}

/** Path of the `next` CLI script, run with the current node binary (no npx, no shell). */
export function nextBin(root) {
  return path.join(root, "node_modules", "next", "dist", "bin", "next");
}

/** The running `next build`, so a caller's signal handler can stop it (see stopActiveBuild). */
let activeBuild = null;

/** Passes a signal on to a running build; returns whether there was one. */
export function stopActiveBuild(signal = "SIGTERM") {
  if (!activeBuild || activeBuild.exitCode !== null) return false;
  activeBuild.kill(signal);
  return true;
}

function runNextBuild(root, { quiet }) {
  return new Promise((resolve, reject) => {
    const output = [];
    const child = (activeBuild = spawn(process.execPath, [nextBin(root), "build"], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    }));
    if (quiet) {
      child.stdout.on("data", (d) => output.push(d));
      child.stderr.on("data", (d) => output.push(d));
    }
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      activeBuild = null;
      if (code === 0) resolve();
      else if (signal) reject(new Error(`next build was stopped (${signal}).`));
      else reject(new Error(`next build failed (exit ${code}).\n${Buffer.concat(output).toString().slice(-4000)}`));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs fn while holding a lock directory; waits for (or clears a dead) holder. */
async function withBuildLock(root, fn) {
  const lockDir = path.join(root, "node_modules", ".cache", "rlhf-next-build.lock");
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      break;
    } catch {
      const holder = Number(fs.readFileSync(path.join(lockDir, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
      if (holder && !pidAlive(holder)) fs.rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for another next build (lock ${lockDir}).`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds when stale; returns true when a build ran. */
export async function buildIfStale(root, { quiet = false } = {}) {
  if (!buildIsStale(root)) return false;
  return withBuildLock(root, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (!buildIsStale(root)) return false;
    await runNextBuild(root, { quiet });
    return true;
  });
}
