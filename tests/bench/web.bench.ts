// `npm run bench:web`: starts `next start` on a loopback port against a temporary database, signs in through
// next-auth's credentials endpoints, and measures rankings.submit and tasks.next over HTTP with autocannon at
// 10 and 50 connections (requests/s, p50, p99). Not a timed test: it prints figures for BENCHMARKS.md.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { openDb } from "../../db/index";
import { newId } from "../../db/ids";
import { shuffledOrder } from "../../server/services/assignment";
import { ensureBootstrap } from "../../server/services/bootstrap";
import { textHash } from "../../server/services/prompts";
import { createProject } from "../../server/services/projects";
import { createUser } from "../../server/services/users";
import { buildIfStale } from "../../scripts/next-build.mjs";
import { signInOverHttp } from "../support/http-session";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = (process.env.BENCH_CONNECTIONS || "10,50").split(",").map(Number);
/** Enough pre-leased ranking tasks that every submit in every run is a first submit (a real write). */
const SUBMIT_TASKS = Number(process.env.BENCH_TASKS || 40_000);
const PASSWORD = "bench-password-1";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * Prepares the database before the server starts: admin and demo project, two annotators, and a bench project
 * whose rank tasks are already leased to the submitting annotator (raw SQL: tens of thousands of rows in a second).
 */
async function prepareDatabase(file: string) {
  const db = openDb(file);
  await ensureBootstrap(db, { ADMIN_EMAIL: "admin@bench.local", ADMIN_PASSWORD: PASSWORD });
  const submitter = (await createUser(db, { email: "submitter@bench.local", role: "annotator", password: PASSWORD })).user;
  const picker = (await createUser(db, { email: "picker@bench.local", role: "annotator", password: PASSWORD })).user;
  const project = await createProject(db, { name: "Bench", k: 4, overlap: 1, allowTies: false }, null);

  const sqlite = db.$client;
  const now = Date.now();
  const lease = now + 24 * 3600 * 1000;
  const insPrompt = sqlite.prepare("insert into prompts (id, project_id, text, source, tags, split, text_hash, created_at) values (?, ?, ?, 'bench', '[]', 'train', ?, ?)");
  const insCompletion = sqlite.prepare("insert into completions (id, prompt_id, text, origin, created_at) values (?, ?, ?, 'model', ?)");
  const insTask = sqlite.prepare("insert into tasks (id, project_id, kind, prompt_id, completion_ids, required_responses, response_count, created_at) values (?, ?, 'rank', ?, ?, 1, 0, ?)");
  const insAssignment = sqlite.prepare("insert into assignments (id, task_id, user_id, status, lease_expires_at, display_order, started_at) values (?, ?, ?, 'active', ?, ?, ?)");
  const submits: { assignmentId: string; order: string[] }[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < SUBMIT_TASKS; i++) {
      const promptId = newId();
      const text = `Bench prompt ${i}: give me a tip for sleeping better.`;
      insPrompt.run(promptId, project.id, text, textHash(text), now);
      const ids = [0, 1, 2, 3].map((j) => {
        const id = newId();
        insCompletion.run(id, promptId, `Completion ${j} of prompt ${i}: go to bed at the same time every day.`, now);
        return id;
      });
      const taskId = newId();
      insTask.run(taskId, project.id, promptId, JSON.stringify(ids), now);
      // The first half is pre-leased to the submitter; the rest stays in the pool for tasks.next.
      if (i < SUBMIT_TASKS / 2) {
        const assignmentId = newId();
        const order = shuffledOrder(ids, assignmentId);
        insAssignment.run(assignmentId, taskId, submitter.id, lease, JSON.stringify(order), now);
        submits.push({ assignmentId, order });
      }
    }
  })();
  sqlite.close();
  return { submits, projectId: project.id, submitterEmail: submitter.email, pickerEmail: picker.email };
}

async function startServer(port: number, env: NodeJS.ProcessEnv, logFile: string): Promise<ChildProcess> {
  const log = fs.openSync(logFile, "w");
  // For profiling the server only, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "scripts", "web-server.mjs"), "--port", String(port), "--hostname", "127.0.0.1"], { cwd: ROOT, env, stdio: ["ignore", log, log] });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}); see ${logFile}:\n${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  throw new Error(`next start did not answer /api/health within 60 s; see ${logFile}`);
}

/** Signs in over HTTP and checks the session carries the annotator role. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const cookie = await signInOverHttp(base, email, password);
  const session = (await (await fetch(`${base}/api/auth/session`, { headers: { cookie } })).json()) as { user?: { role?: string } };
  if (session.user?.role !== "annotator") throw new Error(`the session for ${email} has no annotator role: ${JSON.stringify(session)}`);
  return cookie;
}

async function trpc(base: string, cookie: string, proc: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/api/trpc/${proc}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ json: input }) });
  return { status: res.status, body: await res.json() };
}

/** CPU time (user + system, ms) used so far by a process and all its descendants, from /proc (Linux only). */
function treeCpuMs(rootPid: number): number | null {
  try {
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    const stats = fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const raw = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
          const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
          return { pid: Number(pid), ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) * tick };
        } catch {
          return null;
        }
      })
      .filter((x): x is { pid: number; ppid: number; cpu: number } => x !== null);
    const tree = new Set([rootPid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of stats) if (!tree.has(p.pid) && tree.has(p.ppid)) (tree.add(p.pid), (grew = true));
    }
    return stats.filter((p) => tree.has(p.pid)).reduce((sum, p) => sum + p.cpu, 0);
  } catch {
    return null;
  }
}

interface Figures {
  name: string;
  connections: number;
  /** Server CPU time per request: the figure that does not depend on what else the machine is running. */
  serverCpuMsPerRequest: number | null;
  requestsPerSec: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

async function measure(
  name: string,
  opts: { url: string; connections: number; cookie: string; body: () => string; serverPid: number; seconds?: number },
): Promise<Figures> {
  const cpuBefore = treeCpuMs(opts.serverPid);
  const { default: autocannon } = (await import("autocannon" as string)) as { default: (o: unknown) => Promise<any> };
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds ?? SECONDS,
    method: "POST",
    headers: { "content-type": "application/json", cookie: opts.cookie },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: opts.body() }) }],
  });
  const cpuAfter = treeCpuMs(opts.serverPid);
  const cpu = cpuBefore !== null && cpuAfter !== null && result.requests.total ? (cpuAfter - cpuBefore) / result.requests.total : null;
  return {
    name,
    connections: opts.connections,
    serverCpuMsPerRequest: cpu === null ? null : Math.round(cpu * 100) / 100,
    requestsPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main() {
  if (await buildIfStale(ROOT, { quiet: true })) console.log("next build finished");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-bench-"));
  const dbFile = path.join(dir, "bench.db");
  console.log(`preparing ${SUBMIT_TASKS} ranking tasks in ${dbFile} …`);
  const prep = await prepareDatabase(dbFile);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: dbFile,
    RLHF_HOME: dir,
    NEXTAUTH_URL: base,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    NEXT_TELEMETRY_DISABLED: "1",
  } as NodeJS.ProcessEnv;
  const server = await startServer(port, env, path.join(dir, "next.log"));
  const figures: Figures[] = [];
  const loadBefore = os.loadavg().map((l) => l.toFixed(1)).join(" ");
  try {
    const submitterCookie = await signIn(base, prep.submitterEmail, PASSWORD);
    const pickerCookie = await signIn(base, prep.pickerEmail, PASSWORD);

    let next = 0;
    const submitBody = () => {
      // Wraps around only if the pool runs out; a repeat submit is the idempotent path and still answers 200.
      const s = prep.submits[next++ % prep.submits.length]!;
      return JSON.stringify({ json: { assignmentId: s.assignmentId, ranking: s.order.map((id) => [id]), timeMs: 4200 } });
    };
    const probe = await trpc(base, submitterCookie, "rankings.submit", JSON.parse(submitBody()).json);
    if (probe.status !== 200) throw new Error(`rankings.submit probe failed: ${probe.status} ${JSON.stringify(probe.body)}`);
    const nextProbe = await trpc(base, pickerCookie, "tasks.next", { projectId: prep.projectId, kind: "rank" });
    if (nextProbe.status !== 200) throw new Error(`tasks.next probe failed: ${nextProbe.status} ${JSON.stringify(nextProbe.body)}`);

    const nextBody = JSON.stringify({ json: { projectId: prep.projectId, kind: "rank" } });
    // Warm-up (not reported): the first seconds include JIT compilation and loading the route's chunks.
    for (const [proc, cookie, body] of [
      ["rankings.submit", submitterCookie, submitBody],
      ["tasks.next", pickerCookie, () => nextBody],
    ] as const)
      await measure(`warm-up ${proc}`, { url: `${base}/api/trpc/${proc}`, connections: 10, cookie, body, serverPid: server.pid!, seconds: WARMUP_SECONDS });
    for (const connections of CONNECTIONS) {
      figures.push(await measure("rankings.submit", { url: `${base}/api/trpc/rankings.submit`, connections, cookie: submitterCookie, body: submitBody, serverPid: server.pid! }));
      figures.push(await measure("tasks.next", { url: `${base}/api/trpc/tasks.next`, connections, cookie: pickerCookie, body: () => nextBody, serverPid: server.pid! }));
    }
    const wrapped = Math.max(0, next - prep.submits.length);
    console.log(`\nrankings.submit: ${Math.min(next, prep.submits.length)} first submits${wrapped ? `, ${wrapped} idempotent repeats` : ""}`);
    const wal = `${dbFile}-wal`;
    if (fs.existsSync(wal)) console.log(`WAL file after the runs: ${(fs.statSync(wal).size / 1e6).toFixed(1)} MB`);
  } finally {
    server.kill("SIGTERM");
  }

  console.log(`\nweb bench: next start on loopback, ${os.cpus().length} CPU cores, ${SECONDS} s per run, Node ${process.version}`);
  console.log(`load average before the runs: ${loadBefore}; after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log("procedure          conns   req/s   p50 ms   p99 ms   requests   non-2xx   errors   server CPU ms/req");
  for (const f of figures)
    console.log(
      `${f.name.padEnd(18)} ${String(f.connections).padStart(5)} ${String(f.requestsPerSec).padStart(7)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(8)} ${String(f.total).padStart(10)} ${String(f.non2xx).padStart(9)} ${String(f.errors).padStart(8)}   ${String(f.serverCpuMsPerRequest ?? "n/a").padStart(8)}`,
    );
  const at10 = figures.filter((f) => f.connections === 10);
  for (const f of at10) {
    const ok = f.requestsPerSec >= 400 && f.p99 <= 50;
    console.log(`target at 10 connections (≥ 400 req/s, p99 ≤ 50 ms), ${f.name}: ${ok ? "met" : "NOT met"}`);
  }
  console.log(JSON.stringify({ bench: "web", seconds: SECONDS, cores: os.cpus().length, figures }));
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
