// `npm run bench:web`: starts `next start` on a loopback port against a temporary database, signs in through
// next-auth's credentials endpoints, and measures rankings.submit and tasks.next over HTTP with autocannon at
// 10 and 50 connections (requests/s, p50, p99). Not a timed test: it prints figures for BENCHMARKS.md.
//
//   npm run bench:web                         one instance on a temporary SQLite file
//   npm run bench:web -- --pg [--instances 2]  a fresh PostgreSQL database (on DATABASE_URL's server when that is a
//                                              postgres:// URL, else a throwaway cluster), N `next start` processes
//                                              on N ports, each connection count spread over them
//   npm run bench:web -- --compare            1× SQLite, then 2× PostgreSQL, in one invocation: prints the ratio
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "../../scripts/next-build.mjs";
import { signInOverHttp } from "../support/http-session";
import { benchPgDatabase, isPostgresUrl, type BenchPg } from "./pg-database";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = (process.env.BENCH_CONNECTIONS || "10,50").split(",").map(Number);
/** Enough pre-leased ranking tasks that every submit in every run is a first submit (a real write). */
const SUBMIT_TASKS = Number(process.env.BENCH_TASKS || 40_000);
const PASSWORD = "bench-password-1";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const COMPARE = args.includes("--compare");
const ON_PG = args.includes("--pg") || isPostgresUrl(process.env.DATABASE_URL);
const INSTANCES = Math.max(1, Number(option("instances") ?? 1));
/** Where a configuration run by --compare writes its figures for the parent. */
const JSON_OUT = option("json-out");

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
 * Prepares the database before the servers start: admin and demo project, two annotators, and a bench project
 * whose rank tasks are already leased to the submitting annotator (bulk inserts: tens of thousands of rows in
 * seconds, on SQLite or PostgreSQL). The services are imported here, after DATABASE_URL names the database: the
 * schema picks its dialect when it loads.
 */
async function prepareDatabase(target: string) {
  const { closeDatabase, openDb } = await import("../../db/index");
  const { newId } = await import("../../db/ids");
  const { shuffledOrder } = await import("../../server/services/assignment");
  const { ensureBootstrap } = await import("../../server/services/bootstrap");
  const { textHash } = await import("../../server/services/prompts");
  const { createProject } = await import("../../server/services/projects");
  const { createUser } = await import("../../server/services/users");
  const { insertRows } = await import("../../scripts/bulk-insert");

  const db = openDb(target);
  await ensureBootstrap(db, { ADMIN_EMAIL: "admin@bench.local", ADMIN_PASSWORD: PASSWORD });
  const submitter = (await createUser(db, { email: "submitter@bench.local", role: "annotator", password: PASSWORD })).user;
  const picker = (await createUser(db, { email: "picker@bench.local", role: "annotator", password: PASSWORD })).user;
  const project = await createProject(db, { name: "Bench", k: 4, overlap: 1, allowTies: false }, null);

  const now = Date.now();
  const lease = now + 24 * 3600 * 1000;
  const prompts: unknown[][] = [];
  const completions: unknown[][] = [];
  const tasks: unknown[][] = [];
  const assignments: unknown[][] = [];
  const submits: { assignmentId: string; order: string[] }[] = [];
  for (let i = 0; i < SUBMIT_TASKS; i++) {
    const promptId = newId();
    const text = `Bench prompt ${i}: give me a tip for sleeping better.`;
    prompts.push([promptId, project.id, text, "bench", "[]", "train", textHash(text), now]);
    const ids = [0, 1, 2, 3].map((j) => {
      const id = newId();
      completions.push([id, promptId, `Completion ${j} of prompt ${i}: go to bed at the same time every day.`, "model", now]);
      return id;
    });
    const taskId = newId();
    tasks.push([taskId, project.id, "rank", promptId, JSON.stringify(ids), 1, 0, now]);
    // The first half is pre-leased to the submitter; the rest stays in the pool for tasks.next.
    if (i < SUBMIT_TASKS / 2) {
      const assignmentId = newId();
      const order = shuffledOrder(ids, assignmentId);
      assignments.push([assignmentId, taskId, submitter.id, "active", lease, JSON.stringify(order), now]);
      submits.push({ assignmentId, order });
    }
  }
  await insertRows(db, "prompts", ["id", "project_id", "text", "source", "tags", "split", "text_hash", "created_at"], prompts);
  await insertRows(db, "completions", ["id", "prompt_id", "text", "origin", "created_at"], completions);
  await insertRows(db, "tasks", ["id", "project_id", "kind", "prompt_id", "completion_ids", "required_responses", "response_count", "created_at"], tasks);
  await insertRows(db, "assignments", ["id", "task_id", "user_id", "status", "lease_expires_at", "display_order", "started_at"], assignments);
  // Fresh statistics, as a long-running database would have: the planner otherwise guesses at empty tables.
  if (ON_PG) await (db.$client as unknown as { query(q: string): Promise<unknown> }).query("analyze");
  await closeDatabase(db);
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

/** Busy and total CPU time of the whole machine so far (jiffies, from /proc/stat), to tell how saturated it was. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return null;
  }
}

interface Figures {
  name: string;
  connections: number;
  instances: number;
  /** Server CPU time per request (all instances): the figure that does not depend on what else the machine is running. */
  serverCpuMsPerRequest: number | null;
  /** PostgreSQL's CPU time per request (its whole process tree), when its cluster was started here. */
  dbCpuMsPerRequest: number | null;
  /** Share of the machine's CPU time that was busy during the run (every process, this one included). */
  machineBusy: number | null;
  requestsPerSec: number;
  /** With several instances, the worse instance's percentiles. */
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

interface Target {
  servers: { base: string; pid: number }[];
  dbPid: number | null;
}

/** `connections` spread over the instances as evenly as they go (50 over 2: 25 and 25). */
const share = (connections: number, n: number) => Array.from({ length: n }, (_, i) => Math.floor(connections / n) + (i < connections % n ? 1 : 0));

/**
 * One autocannon per instance, run at once, each with its share of the connections: requests/s and counts are
 * summed, latencies are the worse instance's (autocannon reports percentiles, which cannot be merged exactly).
 */
async function measure(
  name: string,
  target: Target,
  opts: { proc: string; connections: number; cookie: string; body: () => string; seconds?: number },
): Promise<Figures> {
  const { default: autocannon } = (await import("autocannon" as string)) as { default: (o: unknown) => Promise<any> };
  const serverCpu = () => target.servers.reduce<number | null>((sum, s) => (sum === null ? null : ((c) => (c === null ? null : sum + c))(treeCpuMs(s.pid))), 0);
  const cpuBefore = serverCpu();
  const dbBefore = target.dbPid ? treeCpuMs(target.dbPid) : null;
  const machineBefore = machineCpu();
  const shares = share(opts.connections, target.servers.length);
  const results = await Promise.all(
    target.servers.map((s, i) =>
      autocannon({
        url: `${s.base}/api/trpc/${opts.proc}`,
        connections: shares[i],
        duration: opts.seconds ?? SECONDS,
        method: "POST",
        headers: { "content-type": "application/json", cookie: opts.cookie },
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: opts.body() }) }],
      }),
    ),
  );
  const cpuAfter = serverCpu();
  const dbAfter = target.dbPid ? treeCpuMs(target.dbPid) : null;
  const machineAfter = machineCpu();
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const perRequest = (before: number | null, after: number | null) => (before !== null && after !== null && total ? Math.round(((after - before) / total) * 100) / 100 : null);
  return {
    name,
    connections: opts.connections,
    instances: target.servers.length,
    serverCpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
    dbCpuMsPerRequest: perRequest(dbBefore, dbAfter),
    machineBusy: machineBefore && machineAfter ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100) / 100 : null,
    requestsPerSec: results.reduce((n, r) => n + Math.round(r.requests.average), 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    total,
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

const fmt = (v: number | null) => (v === null ? "n/a" : String(v));

function printFigures(label: string, figures: Figures[]) {
  console.log(`\n${label}`);
  console.log("procedure          conns   req/s   p50 ms   p99 ms   requests   non-2xx   errors   server CPU ms/req   db CPU ms/req   machine busy");
  for (const f of figures)
    console.log(
      `${f.name.padEnd(18)} ${String(f.connections).padStart(5)} ${String(f.requestsPerSec).padStart(7)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(8)} ${String(f.total).padStart(10)} ${String(f.non2xx).padStart(9)} ${String(f.errors).padStart(8)}   ${fmt(f.serverCpuMsPerRequest).padStart(17)}   ${fmt(f.dbCpuMsPerRequest).padStart(13)}   ${f.machineBusy === null ? "n/a" : `${Math.round(f.machineBusy * 100)}%`}`,
    );
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/** One configuration: a database (SQLite file or fresh PostgreSQL database), INSTANCES servers, every measurement. */
async function runConfiguration(): Promise<{ label: string; figures: Figures[] }> {
  if (await buildIfStale(ROOT, { quiet: true })) console.log("next build finished");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-bench-"));
  let pgDb: BenchPg | null = null;
  const servers: ChildProcess[] = [];
  const label = `${INSTANCES}× ${ON_PG ? "PostgreSQL" : "SQLite"}`;
  try {
    if (ON_PG) pgDb = await benchPgDatabase("rlhf_bench_web");
    const dbTarget = pgDb ? pgDb.url : path.join(dir, "bench.db");
    process.env.DATABASE_URL = dbTarget;
    console.log(`${label}: preparing ${SUBMIT_TASKS} ranking tasks in ${pgDb ? "a fresh PostgreSQL database" : dbTarget} …`);
    const t0 = Date.now();
    const prep = await prepareDatabase(dbTarget);
    console.log(`prepared in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const secret = randomBytes(32).toString("base64url");
    const bases: string[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      // Every instance shares the database and the auth secret, so a session made on one is good on the others.
      const env = {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: dbTarget,
        RLHF_HOME: dir,
        NEXTAUTH_URL: base,
        NEXTAUTH_SECRET: secret,
        NEXT_TELEMETRY_DISABLED: "1",
      } as NodeJS.ProcessEnv;
      servers.push(await startServer(port, env, path.join(dir, `next-${i}.log`)));
      bases.push(base);
    }
    const target: Target = { servers: bases.map((base, i) => ({ base, pid: servers[i]!.pid! })), dbPid: pgDb?.serverPid ?? null };
    const figures: Figures[] = [];
    const submitterCookie = await signIn(bases[0]!, prep.submitterEmail, PASSWORD);
    const pickerCookie = await signIn(bases[0]!, prep.pickerEmail, PASSWORD);

    let next = 0;
    const submitBody = () => {
      // Wraps around only if the pool runs out; a repeat submit is the idempotent path and still answers 200.
      const s = prep.submits[next++ % prep.submits.length]!;
      return JSON.stringify({ json: { assignmentId: s.assignmentId, ranking: s.order.map((id) => [id]), timeMs: 4200 } });
    };
    for (const base of bases) {
      const probe = await trpc(base, submitterCookie, "rankings.submit", JSON.parse(submitBody()).json);
      if (probe.status !== 200) throw new Error(`rankings.submit probe on ${base} failed: ${probe.status} ${JSON.stringify(probe.body)}`);
      const nextProbe = await trpc(base, pickerCookie, "tasks.next", { projectId: prep.projectId, kind: "rank" });
      if (nextProbe.status !== 200) throw new Error(`tasks.next probe on ${base} failed: ${nextProbe.status} ${JSON.stringify(nextProbe.body)}`);
    }

    const nextBody = JSON.stringify({ json: { projectId: prep.projectId, kind: "rank" } });
    const procs = [
      ["rankings.submit", submitterCookie, submitBody],
      ["tasks.next", pickerCookie, () => nextBody],
    ] as const;
    const loadBefore = loadAverage();
    // Warm-up (not reported): the first seconds include JIT compilation and loading the route's chunks.
    for (const [proc, cookie, body] of procs) await measure(`warm-up ${proc}`, target, { proc, connections: 10 * INSTANCES, cookie, body, seconds: WARMUP_SECONDS });
    for (const connections of CONNECTIONS)
      for (const [proc, cookie, body] of procs) figures.push(await measure(proc, target, { proc, connections, cookie, body }));
    const wrapped = Math.max(0, next - prep.submits.length);
    console.log(`\nrankings.submit: ${Math.min(next, prep.submits.length)} first submits${wrapped ? `, ${wrapped} idempotent repeats` : ""}`);
    const wal = `${dbTarget}-wal`;
    if (!pgDb && fs.existsSync(wal)) console.log(`WAL file after the runs: ${(fs.statSync(wal).size / 1e6).toFixed(1)} MB`);

    console.log(`\nweb bench: ${label}, next start on loopback, ${os.cpus().length} CPU cores, ${SECONDS} s per run, Node ${process.version}`);
    console.log(`load average (1, 5, 15 min) before the runs: ${loadBefore}; after: ${loadAverage()}`);
    printFigures(label, figures);
    for (const f of figures.filter((x) => x.connections === 10)) {
      const ok = f.requestsPerSec >= 400 && f.p99 <= 50;
      console.log(`target at 10 connections (≥ 400 req/s, p99 ≤ 50 ms), ${f.name}: ${ok ? "met" : "NOT met"}`);
    }
    console.log(JSON.stringify({ bench: "web", label, seconds: SECONDS, cores: os.cpus().length, loadBefore, loadAfter: loadAverage(), figures }));
    return { label, figures };
  } finally {
    for (const s of servers) s.kill("SIGTERM");
    await Promise.all(servers.map((s) => (s.exitCode === null ? new Promise((r) => s.once("exit", r)) : null)));
    await pgDb?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * --compare: 1× SQLite, then 2× PostgreSQL, each in a process of its own (a process's tables are of one dialect),
 * then the ratio at each connection count. The issue's target: 2× PostgreSQL ≥ 1.5× 1× SQLite at 50 connections,
 * with no errors.
 */
async function compare() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-bench-compare-"));
  const runTs = path.join(ROOT, "trainer/bin/run-ts.mjs");
  const self = fileURLToPath(import.meta.url);
  const configurations = [
    { flags: ["--instances", "1"], pg: false },
    { flags: ["--pg", "--instances", "2"], pg: true },
  ];
  const results: { label: string; figures: Figures[] }[] = [];
  try {
    for (const [i, c] of configurations.entries()) {
      const out = path.join(dir, `${i}.json`);
      const env = { ...process.env };
      // The SQLite run must not see a postgres:// DATABASE_URL; the PostgreSQL run uses its server when there is one.
      if (!c.pg) delete env.DATABASE_URL;
      const r = spawnSync(process.execPath, [runTs, self, ...c.flags, "--json-out", out], { stdio: "inherit", env });
      if (r.status !== 0) throw new Error(`the ${c.flags.join(" ")} run failed (exit ${r.status ?? r.signal})`);
      results.push(JSON.parse(fs.readFileSync(out, "utf8")));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [sqlite, pg] = results as [{ label: string; figures: Figures[] }, { label: string; figures: Figures[] }];
  console.log(`\n=== ${pg.label} / ${sqlite.label}, same invocation; load average now: ${loadAverage()} ===`);
  printFigures(sqlite.label, sqlite.figures);
  printFigures(pg.label, pg.figures);
  console.log(`\nprocedure          conns   ${sqlite.label} req/s   ${pg.label} req/s   ratio   ${pg.label} errors + non-2xx`);
  for (const f of pg.figures) {
    const base = sqlite.figures.find((s) => s.name === f.name && s.connections === f.connections);
    if (!base) continue;
    const ratio = f.requestsPerSec / base.requestsPerSec;
    console.log(
      `${f.name.padEnd(18)} ${String(f.connections).padStart(5)}   ${String(base.requestsPerSec).padStart(12)}   ${String(f.requestsPerSec).padStart(16)}   ${ratio.toFixed(2).padStart(5)}   ${f.errors + f.non2xx}`,
    );
    if (f.connections === 50) console.log(`target at 50 connections (2× PostgreSQL ≥ 1.5× 1× SQLite, 0 errors), ${f.name}: ${ratio >= 1.5 && f.errors + f.non2xx === 0 ? "met" : "NOT met"}`);
  }
}

async function main() {
  if (COMPARE) return await compare();
  const result = await runConfiguration();
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(result));
}

await main();
