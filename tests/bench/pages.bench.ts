// The admin, research and annotator pages on a project of 120,000 tasks: `npm run bench:pages -- [FILE.db]` builds
// (or reuses) the database (scripts/build-pages-db.ts) and times each tRPC call and service behind those pages
// through the same router the web app serves (createCaller), first call and best of 5 after it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDatabase, openDb } from "../../db/index";
import { createCaller } from "../../server/routers/_app";
import { startSession } from "../../server/services/sessions";
import { openTaskCountsFor, responseCountsByProject } from "../../server/services/stats";
import { createTRPCContext } from "../../server/trpc";
import { buildPagesDb, PAGES_BENCH_PROJECT } from "../../scripts/build-pages-db";

const file = process.argv[2] ?? path.join(os.tmpdir(), "rlhf-pages-bench.db");
if (!fs.existsSync(file)) {
  const t0 = Date.now();
  const built = buildPagesDb(file);
  console.log(`built ${file}: ${built.tasks} tasks, ${built.rankings} rankings in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const db = openDb(file);
const user = (email: string) => db.$client.prepare("select id, role from users where email = ?").get(email) as { id: string; role: "researcher" | "annotator" | "reviewer" };
const caller = async (email: string) => {
  const u = user(email);
  const sid = await startSession(db, u.id);
  return createCaller(
    createTRPCContext({ db, session: { user: { id: u.id, role: u.role, sid, email, name: null }, expires: new Date(Date.now() + 3600_000).toISOString() }, headers: new Headers() }),
  );
};
const researcher = await caller("researcher@bench.local");
const annotator = await caller("annotator0@bench.local");
const reviewer = await caller("reviewer@bench.local");
const annotatorId = user("annotator0@bench.local").id;
const projectId = (db.$client.prepare("select id from projects where name = ?").get(PAGES_BENCH_PROJECT) as { id: string }).id;

const calls: [string, () => unknown][] = [
  ["projects.list (annotate, runs, review pages)", () => researcher.projects.list()],
  ["stats.projectProgress (admin, research pages)", () => researcher.stats.projectProgress()],
  ["responseCountsByProject (research page)", () => responseCountsByProject(db)],
  ["openTaskCountsFor (annotate page)", () => openTaskCountsFor(db, annotatorId)],
  ["stats.mine (annotate page)", () => annotator.stats.mine()],
  ["prompts.list page 1 (project page)", () => researcher.prompts.list({ projectId, page: 1, pageSize: 50 })],
  ["prompts.list page 2,000 (last)", () => researcher.prompts.list({ projectId, page: 2000, pageSize: 50 })],
  ["prompts.list split=test page 1", () => researcher.prompts.list({ projectId, split: "test", page: 1, pageSize: 50 })],
  ["prompts.list search page 1", () => researcher.prompts.list({ projectId, search: "about 42", page: 1, pageSize: 50 })],
  ["items.list page 1 (quality page)", () => researcher.items.list({ projectId, page: 1 })],
  ["items.list overlap page 1", () => researcher.items.list({ projectId, filter: "overlap", page: 1 })],
  ["reviews.queue (review page)", () => reviewer.reviews.queue({ projectId })],
];
const results: Record<string, { first_ms: number; best_ms: number }> = {};
for (const [name, call] of calls) {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  results[name] = { first_ms: Math.round(times[0]!), best_ms: Math.round(Math.min(...times.slice(1)) * 10) / 10 };
  console.log(`${name.padEnd(48)} first ${String(results[name].first_ms).padStart(5)} ms   best ${String(results[name].best_ms).padStart(7)} ms`);
}
const tasks = (db.$client.prepare("select count(*) as n from tasks").get() as { n: number }).n;
console.log(JSON.stringify({ tasks, load_average: os.loadavg()[0]!.toFixed(2), results }));
await closeDatabase(db);
