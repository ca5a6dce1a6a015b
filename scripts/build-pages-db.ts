// Builds the page-speed benchmark's database: one project of 120,000 prompts, each with 4 completions and a rank
// task for 2 annotators, beside a small project; 30 annotators have answered 60% of the tasks once or twice
// (assignments and rankings as a submit writes them). Deterministic (seeded), raw statements in one transaction.
//
//   node trainer/bin/run-ts.mjs scripts/build-pages-db.ts FILE.db
import fs from "node:fs";
import { newId } from "../db/ids";
import { openDb } from "../db/index";
import { mulberry32 } from "../server/services/random";

export const PAGES_BENCH = { prompts: 120_000, k: 4, overlap: 2, annotators: 30, answered: 0.6 } as const;
export const PAGES_BENCH_PROJECT = "pages-bench";

export function buildPagesDb(file: string): { tasks: number; rankings: number } {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = openDb(file);
  const raw = db.$client;
  const rand = mulberry32(7);
  const now = Date.parse("2026-11-01T00:00:00Z");
  let tasks = 0;
  let rankings = 0;
  raw.transaction(() => {
    const insertUser = raw.prepare("insert into users (id, email, name, password_hash, role, disabled, created_at) values (?, ?, '', '!', ?, 0, ?)");
    const annotators = Array.from({ length: PAGES_BENCH.annotators }, (_, i) => {
      const id = newId();
      insertUser.run(id, `annotator${i}@bench.local`, "annotator", now);
      return id;
    });
    insertUser.run(newId(), "researcher@bench.local", "researcher", now);
    insertUser.run(newId(), "reviewer@bench.local", "reviewer", now);
    const insertProject = raw.prepare("insert into projects (id, name, k, overlap, created_at) values (?, ?, ?, ?, ?)");
    const insertPrompt = raw.prepare("insert into prompts (id, project_id, text, text_hash, source, split, created_at) values (?, ?, ?, ?, 'bench', ?, ?)");
    const insertCompletion = raw.prepare("insert into completions (id, prompt_id, text, origin, created_at) values (?, ?, ?, 'import', ?)");
    const insertTask = raw.prepare(
      "insert into tasks (id, project_id, kind, prompt_id, completion_ids, required_responses, response_count, created_at) values (?, ?, 'rank', ?, ?, ?, ?, ?)",
    );
    const insertAssignment = raw.prepare(
      "insert into assignments (id, task_id, user_id, status, lease_expires_at, display_order, started_at, submitted_at) values (?, ?, ?, 'submitted', ?, ?, ?, ?)",
    );
    const insertRanking = raw.prepare(
      "insert into rankings (id, assignment_id, user_id, prompt_id, ordering, time_ms, source, created_at) values (?, ?, ?, ?, ?, ?, 'annotator', ?)",
    );
    for (const [name, size] of [[PAGES_BENCH_PROJECT, PAGES_BENCH.prompts], ["small", 200]] as const) {
      const projectId = newId();
      insertProject.run(projectId, name, PAGES_BENCH.k, PAGES_BENCH.overlap, now);
      for (let n = 0; n < size; n++) {
        const at = now + n * 1000;
        const promptId = newId();
        insertPrompt.run(promptId, projectId, `${name} prompt ${n}: write something about ${n % 97}`, `${name}-${n}`, n % 10 === 0 ? "test" : "train", at);
        const ids = Array.from({ length: PAGES_BENCH.k }, (_, j) => {
          const id = newId();
          insertCompletion.run(id, promptId, `completion ${j} of prompt ${n}`, at);
          return id;
        });
        const answers = rand() < PAGES_BENCH.answered ? (rand() < 0.5 ? 1 : 2) : 0;
        const taskId = newId();
        insertTask.run(taskId, projectId, promptId, JSON.stringify(ids), PAGES_BENCH.overlap, answers, at);
        tasks++;
        const first = Math.floor(rand() * annotators.length);
        for (let a = 0; a < answers; a++) {
          const userId = annotators[(first + a) % annotators.length]!;
          const assignmentId = newId();
          insertAssignment.run(assignmentId, taskId, userId, at + 600_000, JSON.stringify(ids), at, at + 60_000);
          insertRanking.run(newId(), assignmentId, userId, promptId, JSON.stringify(ids.map((id) => [id])), 20_000, at + 60_000);
          rankings++;
        }
      }
    }
  })();
  raw.close();
  return { tasks, rankings };
}

if (process.argv[1]?.endsWith("build-pages-db.ts")) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: build-pages-db.ts FILE.db");
    process.exit(2);
  }
  const started = Date.now();
  const r = buildPagesDb(file);
  console.log(`wrote ${r.tasks} tasks and ${r.rankings} rankings to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
