// Builds the export benchmark's database: one project, 50,000 prompts with 4 completions each, every prompt ranked
// strictly by 4 of 20 annotators: 200,000 rankings, 1.2M trl-preference pairs. Texts are sentences of everyday
// words at the lengths a real dataset has (prompts ~100 characters, completions ~300). Deterministic (seeded),
// written with bulk inserts (scripts/bulk-insert.ts) into a SQLite file or a fresh PostgreSQL database.
//
//   node trainer/bin/run-ts.mjs scripts/build-export-db.ts FILE.db | postgres://…/FRESH_DATABASE
import fs from "node:fs";
import { newId } from "../db/ids";
import { closeDatabase, openDb } from "../db/index";
import { insertRows } from "./bulk-insert";
import { mulberry32 } from "../server/services/random";

export const EXPORT_BENCH = { prompts: 50_000, k: 4, annotatorsPerPrompt: 4, annotators: 20 } as const;
export const EXPORT_BENCH_PROJECT = "export-bench";

const WORDS = (
  "the a of to and in is it you that for on with as are this be at have or from by not but what all were when we " +
  "there can an your which their said if do will each about how up out them then she many some so these would other " +
  "into has more her two like him see time could no make than first been its who now people my made over did down " +
  "only way find use may water long little very after words called just where most know get through back much go " +
  "good new write our used me man too any day same right look think also around another came come work three word " +
  "must because does part even place well such here take why things help put years different away again off went " +
  "old number great tell men say small every found still between name should home big give air line set own under " +
  "read last never us left end along while might next sound below saw something thought both few those always looked " +
  "show large often together asked house world going want school important until form food keep children feet land " +
  "side without boy once animals life enough took sometimes four head above kind began almost live page got earth " +
  '"quoted" naïve café — résumé 🙂 tab\there newline\\n'
).split(" ");

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const s = out.join(" ");
  return s[0]!.toUpperCase() + s.slice(1) + ".";
}

/**
 * Writes the benchmark data to `target`: a SQLite file (replaced), or a postgres:// URL naming a fresh database
 * (migrated here). Returns the number of rankings and pairs.
 */
export async function buildExportDb(target: string): Promise<{ rankings: number; pairs: number }> {
  const onPg = /^postgres(ql)?:\/\//i.test(target);
  if (!onPg) for (const f of [target, `${target}-wal`, `${target}-shm`]) fs.rmSync(f, { force: true });
  const db = openDb(target);
  if (onPg) await (db.$client as unknown as { ready(): Promise<void> }).ready();
  const rand = mulberry32(2026);
  const now = Date.parse("2026-11-01T00:00:00Z");
  const projectId = newId();
  const annotators = Array.from({ length: EXPORT_BENCH.annotators }, () => newId());
  const prompts: unknown[][] = [];
  const completions: unknown[][] = [];
  const rankings: unknown[][] = [];
  // Rows are made in the same order (and with the same random draws) on both databases, so the data is the same.
  for (let n = 0; n < EXPORT_BENCH.prompts; n++) {
    const at = now + n * 1000;
    const promptId = newId();
    prompts.push([promptId, projectId, `${n}. ${sentence(rand, 12 + Math.floor(rand() * 16))}`, `h${n}`, "bench", at]);
    const ids = Array.from({ length: EXPORT_BENCH.k }, () => {
      const id = newId();
      completions.push([id, promptId, `${sentence(rand, 30 + Math.floor(rand() * 50))} ${sentence(rand, 10 + Math.floor(rand() * 20))}`, "import", at]);
      return id;
    });
    const first = Math.floor(rand() * EXPORT_BENCH.annotators);
    for (let j = 0; j < EXPORT_BENCH.annotatorsPerPrompt; j++) {
      const order = [...ids];
      // Each annotator swaps a random neighbouring pair: rankings of one item differ a little, as people's do.
      const s = Math.floor(rand() * (order.length - 1));
      [order[s], order[s + 1]] = [order[s + 1]!, order[s]!];
      const userId = annotators[(first + j) % annotators.length]!;
      rankings.push([newId(), userId, promptId, JSON.stringify(order.map((id) => [id])), "{}", "{}", Math.round(5000 + rand() * 60000), "import", at + j]);
    }
  }
  await insertRows(db, "projects", ["id", "name", "k", "overlap", "created_at"], [[projectId, EXPORT_BENCH_PROJECT, EXPORT_BENCH.k, EXPORT_BENCH.annotatorsPerPrompt, now]]);
  await insertRows(db, "users", ["id", "email", "name", "password_hash", "role", "disabled", "created_at"], annotators.map((id, i) => [id, `annotator${i}@bench.local`, "", "!", "annotator", true, now]));
  await insertRows(db, "prompts", ["id", "project_id", "text", "text_hash", "source", "created_at"], prompts);
  await insertRows(db, "completions", ["id", "prompt_id", "text", "origin", "created_at"], completions);
  await insertRows(db, "rankings", ["id", "user_id", "prompt_id", "ordering", "flags", "ratings", "time_ms", "source", "created_at"], rankings);
  // Fresh planner statistics, as a database that grew to this size would have.
  if (onPg) await (db.$client as unknown as { query(q: string): Promise<unknown> }).query("analyze");
  await closeDatabase(db);
  const k = EXPORT_BENCH.k;
  return { rankings: rankings.length, pairs: rankings.length * ((k * (k - 1)) / 2) };
}

if (process.argv[1]?.endsWith("build-export-db.ts")) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: build-export-db.ts FILE.db | postgres://…/FRESH_DATABASE");
    process.exit(2);
  }
  const started = Date.now();
  const r = await buildExportDb(file);
  console.log(`wrote ${r.rankings} rankings (${r.pairs} trl-preference pairs) to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
