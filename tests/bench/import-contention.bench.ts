// Does a big prompt import stop the web app? `npm run bench:import`: 10 annotators call tasks.next in a loop against
// the real server while `rlhf prompts import` brings in 200,000 prompts from another process, the way an admin
// would run it; prints p50/p99 latency and errors beside the same load with no import, and beside an import done as
// one transaction (how imports ran before, for comparison).
//
//   npm run bench:import -- [ROWS=200000] [CONNECTIONS=10]
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDatabase, openDb } from "../../db/index";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { createUser } from "../../server/services/users";
import { signInOverHttp } from "../support/http-session";
import { REPO_ROOT, startTestServer } from "../support/server";

const ROWS = Number(process.argv[2] ?? 200_000);
const CONNECTIONS = Number(process.argv[3] ?? 10);

interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
}

/** CONNECTIONS loops calling tasks.next until `until()` says stop; latency of every call. */
async function load(url: string, cookies: string[], until: () => boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  await Promise.all(
    cookies.map(async (cookie) => {
      while (!until()) {
        const t0 = performance.now();
        try {
          const res = await fetch(`${url}/api/trpc/tasks.next`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ json: {} }) });
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status !== 200) errors++;
        } catch {
          errors++;
          statuses.network = (statuses.network ?? 0) + 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1);
  return { requests: latencies.length, errors, statuses, p50: q(0.5), p99: q(0.99), max: q(1) };
}

function runChild(args: string[], env: NodeJS.ProcessEnv): { done: Promise<{ code: number | null; seconds: number }>; finished: () => boolean } {
  const started = Date.now();
  let finished = false;
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  const done = new Promise<{ code: number | null; seconds: number }>((resolve) =>
    child.on("exit", (code) => {
      finished = true;
      resolve({ code, seconds: (Date.now() - started) / 1000 });
    }),
  );
  return { done, finished: () => finished };
}

const server = await startTestServer();
const dbFile = path.join(server.dataDir, "rlhf.db");
const db = openDb(dbFile);
try {
  const project = await createProject(db, { name: "bench" }, null);
  await importPromptRows(db, project.id, Array.from({ length: 2000 }, (_, i) => ({ line: i + 1, prompt: `Warm-up prompt ${i}` })) as never, null);
  const cookies: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    await createUser(db, { email: `ann${i}@bench.test`, role: "annotator", password: "bench-password-1" });
    cookies.push(await signInOverHttp(server.url, `ann${i}@bench.test`, "bench-password-1"));
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-import-bench-")), "big.jsonl");
  const lines = (tag: string) => Array.from({ length: ROWS }, (_, i) => JSON.stringify({ prompt: `${tag} prompt ${i}: explain, in two sentences, why the sky looks blue at noon.` })).join("\n");
  fs.writeFileSync(file, lines("batched"));
  const env = { ...process.env, DATABASE_URL: dbFile, RLHF_HOME: server.dataDir };

  const quietEnd = Date.now() + 10_000;
  const quiet = await load(server.url, cookies, () => Date.now() > quietEnd);

  // The import as `rlhf prompts import` runs it now: parsed in full, then short batches.
  const batched = runChild([path.join(REPO_ROOT, "trainer/bin/rlhf.mjs"), "prompts", "import", file, "--project", "bench", "--json"], env);
  const during = await load(server.url, cookies, batched.finished);
  const batchedRun = await batched.done;

  // For comparison: the same size as one transaction, as every import ran before.
  const oneTxFile = path.join(path.dirname(file), "one-tx.jsonl");
  fs.writeFileSync(oneTxFile, lines("one-transaction"));
  const script = `
    const { openDb } = await import(${JSON.stringify(path.join(REPO_ROOT, "db/index.ts"))});
    const { parsePromptFile } = await import(${JSON.stringify(path.join(REPO_ROOT, "server/services/prompt-parse.ts"))});
    const { importPromptRows } = await import(${JSON.stringify(path.join(REPO_ROOT, "server/services/prompts.ts"))});
    const { findProjectByName } = await import(${JSON.stringify(path.join(REPO_ROOT, "server/services/projects.ts"))});
    const fs = await import("node:fs");
    const db = openDb(process.env.DATABASE_URL);
    const { rows } = parsePromptFile("jsonl", fs.readFileSync(${JSON.stringify(oneTxFile)}, "utf8"));
    importPromptRows(db, findProjectByName(db, "bench").id, rows, null);`;
  const scriptFile = path.join(path.dirname(file), "one-tx.mts");
  fs.writeFileSync(scriptFile, script);
  const oneTx = runChild([path.join(REPO_ROOT, "trainer/bin/run-ts.mjs"), scriptFile], env);
  const duringOneTx = await load(server.url, cookies, oneTx.finished);
  const oneTxRun = await oneTx.done;

  const row = (label: string, r: LoadResult, extra = "") =>
    `| ${label} | ${r.requests} | ${r.p50} | **${r.p99}** | ${r.max} | ${r.errors} ${r.errors ? `(${Object.entries(r.statuses).filter(([s]) => s !== "200").map(([s, n]) => `${n}× ${s}`).join(", ")})` : ""} | ${extra} |`;
  console.log(`\n### tasks.next under a ${ROWS.toLocaleString("en-US")}-prompt import (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length}-core CPU, ${CONNECTIONS} connections)\n`);
  console.log("| while | requests | p50 ms | p99 ms | max ms | errors | import |");
  console.log("|---|---|---|---|---|---|---|");
  console.log(row("no import (10 s)", quiet));
  console.log(row("`rlhf prompts import` (batches of ≤ 100 rows or 4 ms, nice 10)", during, `${batchedRun.seconds.toFixed(1)} s, exit ${batchedRun.code}`));
  console.log(row("one transaction (before)", duringOneTx, `${oneTxRun.seconds.toFixed(1)} s, exit ${oneTxRun.code}`));
  console.log(`\nload average: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await closeDatabase(db);
  await server.stop();
}
