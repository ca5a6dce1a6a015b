// `npm start`: make sure ./data exists, build the app when the build is missing or stale, then run `next start`
// on $PORT (default 3000) with NEXTAUTH_URL defaulting to that origin; signals are passed through to Next.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale, nextBin, stopActiveBuild } from "./next-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const port = process.env.PORT?.trim() || "3000";
process.env.PORT = port;
process.env.NEXTAUTH_URL ||= `http://localhost:${port}`;
process.env.NEXT_TELEMETRY_DISABLED ||= "1";

fs.mkdirSync(path.resolve(process.env.RLHF_HOME?.trim() || "data"), { recursive: true });
fs.mkdirSync(path.resolve("data"), { recursive: true });

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
let server = null;

// Signals go to whatever runs now: the build, then the server. Without a child we simply exit.
for (const signal of Object.keys(SIGNAL_EXIT_CODES)) {
  process.on(signal, () => {
    if (server && server.exitCode === null) server.kill(signal);
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
server = spawn(process.execPath, [nextBin(root), "start", "-p", port], { stdio: "inherit", env: process.env });
server.on("exit", (code, signal) => {
  process.exit(signal ? (SIGNAL_EXIT_CODES[signal] ?? 1) : (code ?? 0));
});
