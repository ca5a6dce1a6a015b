// Runs the real app for end-to-end tests: builds once (only when sources are newer than the build), then starts
// `next start` on a free loopback port with a temporary database, data folder and known admin credentials.
import { closeDatabase } from "../../db/index";
import { createTempDb } from "./db";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "../../scripts/next-build.mjs";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface TestServer {
  url: string;
  admin: { email: string; password: string };
  dataDir: string;
  /** Its DATABASE_URL: open it with openDb to arrange or inspect data. */
  databaseUrl: string;
  /** Everything the server printed so far (for failure messages). */
  logs: () => string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, logs: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The server did not become healthy within ${timeoutMs / 1000}s:\n${logs()}`);
}

/** `env` adds to (or overrides) the server's environment, e.g. TRUSTED_PROXIES. */
export async function startTestServer(opts: { env?: Record<string, string> } = {}): Promise<TestServer> {
  await buildIfStale(REPO_ROOT, { quiet: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A migrated database (a SQLite file, or a fresh PostgreSQL database in a PostgreSQL run) and RLHF_HOME beside it.
  const temp = createTempDb("rlhf-e2e-");
  await closeDatabase(temp.db); // the server opens its own
  const dataDir = temp.dir;
  const databaseUrl = temp.file;
  const admin = { email: "admin@e2e.test", password: "admin-password-e2e" };
  const output: Buffer[] = [];
  const logs = () => Buffer.concat(output).toString();

  // The same server `npm start` runs: Next.js under scripts/web-server.mjs, which sets the client's address.
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "web-server.mjs"), "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      RLHF_HOME: dataDir,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e-secret",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => output.push(d));
  child.stderr!.on("data", (d: Buffer) => output.push(d));

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await temp.close();
  };

  try {
    await waitForHealth(url, child, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, admin, dataDir, databaseUrl, logs, stop };
}
