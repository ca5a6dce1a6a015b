// Builds the label-quality benchmark's database: one project, 50 annotators of varied care, 100,000 rankings of 4
// completions (32,000 items ranked by 3 annotators each, and 80 gold items ranked by all 50), with flags, Likert
// ratings and times. Deterministic (seeded), written with raw statements in one transaction.
//
//   node trainer/bin/run-ts.mjs scripts/build-quality-db.ts FILE.db
import fs from "node:fs";
import { newId } from "../db/ids";
import { openDb } from "../db/index";
import { mulberry32 } from "../server/services/random";

export const BENCH = { annotators: 50, items: 32_000, overlap: 3, goldItems: 80, k: 4 } as const;
export const BENCH_PROJECT = "quality-bench";

/** Writes the benchmark database to `file` (replacing it); returns the project id and the number of rankings. */
export function buildQualityDb(file: string): { projectId: string; rankings: number } {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = openDb(file);
  const raw = db.$client;
  const rand = mulberry32(12345);
  const now = Date.parse("2026-11-01T00:00:00Z");
  const projectId = newId();
  let rankings = 0;
  raw.transaction(() => {
    raw.prepare("insert into projects (id, name, k, overlap, created_at) values (?, ?, ?, ?, ?)").run(projectId, BENCH_PROJECT, BENCH.k, BENCH.overlap, now);
    const insertUser = raw.prepare("insert into users (id, email, name, password_hash, role, disabled, created_at) values (?, ?, '', '!', 'annotator', 1, ?)");
    // Each annotator flips a pair of neighbours with their own probability: most are careful, a few are careless.
    const annotators = Array.from({ length: BENCH.annotators }, (_, i) => {
      const id = newId();
      insertUser.run(id, `annotator${i}@bench.local`, now);
      return { id, flip: i % 10 === 9 ? 0.45 : 0.05 + rand() * 0.15 };
    });
    const insertPrompt = raw.prepare("insert into prompts (id, project_id, text, text_hash, source, created_at) values (?, ?, ?, ?, 'bench', ?)");
    const insertCompletion = raw.prepare("insert into completions (id, prompt_id, text, origin, created_at) values (?, ?, ?, 'import', ?)");
    const insertRanking = raw.prepare(
      "insert into rankings (id, user_id, prompt_id, ordering, not_rankable, flags, ratings, time_ms, source, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?)",
    );
    const insertGold = raw.prepare("insert into gold_items (id, project_id, prompt_id, ordering, created_at) values (?, ?, ?, ?, ?)");
    const rankBy = (annotator: { id: string; flip: number }, promptId: string, ids: string[], at: number) => {
      const order = [...ids];
      for (let i = 0; i + 1 < order.length; i++) if (rand() < annotator.flip) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
      const notRankable = rand() < 0.01 ? 1 : 0;
      const flags = rand() < 0.05 ? JSON.stringify({ [order[order.length - 1]!]: ["harmful"] }) : "{}";
      const ratings = JSON.stringify(Object.fromEntries(order.map((id, i) => [id, 7 - i - (rand() < 0.3 ? 1 : 0)])));
      insertRanking.run(newId(), annotator.id, promptId, JSON.stringify(order.map((id) => [id])), notRankable, flags, ratings, Math.round(5000 + rand() * 60000), at);
      rankings++;
    };
    const newItem = (text: string, at: number) => {
      const promptId = newId();
      insertPrompt.run(promptId, projectId, text, text, at);
      const ids = Array.from({ length: BENCH.k }, (_, j) => {
        const id = newId();
        insertCompletion.run(id, promptId, `${text} / completion ${j}`, at);
        return id;
      });
      return { promptId, ids };
    };
    for (let g = 0; g < BENCH.goldItems; g++) {
      const at = now + g * 60_000;
      const { promptId, ids } = newItem(`gold prompt ${g}`, at);
      insertGold.run(newId(), projectId, promptId, JSON.stringify(ids.map((id) => [id])), at);
      for (const a of annotators) rankBy(a, promptId, ids, at);
    }
    for (let n = 0; n < BENCH.items; n++) {
      // Spread over 30 days, so the over-time series has points.
      const at = now + Math.floor((n / BENCH.items) * 30 * 86_400_000);
      const { promptId, ids } = newItem(`prompt ${n}`, at);
      const first = Math.floor(rand() * BENCH.annotators);
      for (let j = 0; j < BENCH.overlap; j++) rankBy(annotators[(first + j * 7) % BENCH.annotators]!, promptId, ids, at);
    }
  })();
  raw.close();
  return { projectId, rankings };
}

if (process.argv[1]?.endsWith("build-quality-db.ts")) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: build-quality-db.ts FILE.db");
    process.exit(2);
  }
  const started = Date.now();
  const r = buildQualityDb(file);
  console.log(`wrote ${r.rankings} rankings to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
