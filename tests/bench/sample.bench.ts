// How fast does `rlhf sample` draw from an endpoint? `npm run bench:sample`: a local OpenAI-compatible server (the
// tests' fake, answering each request after DELAY_MS, as a server busy generating would), and `rlhf sample --tasks`
// with 8 requests in flight storing PROMPTS × K completions and their ranking tasks in a fresh database. Prints
// completions per second, end to end (HTTP through the openai client, per-batch transactions, task opening).
//
//   npm run bench:sample -- [PROMPTS=400] [K=4] [DELAY_MS=50] [CONCURRENCY=8]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDatabase, openDb } from "../../db/index";
import { registerEndpoint } from "../../server/services/endpoints";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { main } from "../../trainer/cli";
import { startFakeOpenAI } from "../support/fake-openai";

const PROMPTS = Number(process.argv[2] ?? 400);
const K = Number(process.argv[3] ?? 4);
const DELAY_MS = Number(process.argv[4] ?? 50);
const CONCURRENCY = Number(process.argv[5] ?? 8);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-bench-sample-"));
process.env.DATABASE_URL = path.join(dir, "rlhf.db");
process.env.RLHF_HOME = dir;
const fake = await startFakeOpenAI();
fake.delayMs = DELAY_MS;
const db = openDb(process.env.DATABASE_URL);
const project = await createProject(db, { name: "Bench" }, null);
await importPromptRows(db, project.id, Array.from({ length: PROMPTS }, (_, i) => ({ prompt: `Write line ${i} of a poem about the sea.` })) as never, null);
await registerEndpoint(db, { name: "bench-endpoint", baseUrl: fake.url, model: "bench-llm" });
await closeDatabase(db);

const t0 = performance.now();
const code = await main(["sample", "--model", "bench-endpoint", "--project", "Bench", "--unranked", "--k", String(K), "--concurrency", String(CONCURRENCY), "--tasks", "--json"]);
const seconds = (performance.now() - t0) / 1000;
await fake.close();
const completions = PROMPTS * K;
const line = {
  prompts: PROMPTS,
  k: K,
  concurrency: CONCURRENCY,
  server_delay_ms: DELAY_MS,
  requests: fake.requests.length,
  seconds: Number(seconds.toFixed(2)),
  completions_per_s: Number((completions / seconds).toFixed(1)),
  // The ceiling the server's delay allows with this many requests in flight.
  ceiling_completions_per_s: DELAY_MS > 0 ? Number(((CONCURRENCY * K * 1000) / DELAY_MS).toFixed(1)) : null,
  exit_code: code,
};
process.stderr.write(`\nbench:sample ${JSON.stringify(line)}\n`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(code);
