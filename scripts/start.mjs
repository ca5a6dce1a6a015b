// `npm start`: make sure ./data exists, build the app when the build is missing or stale, then run `next start`
// on $PORT (default 3000) with NEXTAUTH_URL defaulting to that origin; signals are passed through to Next.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale, nextBin } from "./next-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const port = process.env.PORT?.trim() || "3000";
process.env.PORT = port;
process.env.NEXTAUTH_URL ||= `http://localhost:${port}`;
process.env.NEXT_TELEMETRY_DISABLED ||= "1";

fs.mkdirSync(path.resolve(process.env.RLHF_HOME?.trim() || "data"), { recursive: true });
fs.mkdirSync(path.resolve("data"), { recursive: true });

try {
  if (await buildIfStale(root)) console.log("Build finished.");
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

const args = [nextBin(root), "start", "-p", port];
console.log(`Starting RLHF Workbench on ${process.env.NEXTAUTH_URL}`);
const child = spawn(process.execPath, args, { stdio: "inherit", env: process.env });

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on("exit", (code, signal) => {
  const signalCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  process.exit(signal ? (signalCodes[signal] ?? 1) : (code ?? 0));
});
