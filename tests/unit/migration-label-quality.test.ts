// The label-quality migration on a database that already holds data: every earlier migration applied, rows written,
// then the app's migrate adds the new columns with their defaults and the new tables, and the rows survive.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterAll, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-migration-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("applies to an existing database with data: defaults filled in, rows kept", async () => {
  // The migrations folder as it was before this one (found by its name, whatever number it is given).
  const before = path.join(dir, "migrations");
  fs.cpSync(path.resolve(__dirname, "../../db/migrations"), before, { recursive: true });
  const journalFile = path.join(before, "meta/_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  const mine = journal.entries.find((e) => e.tag.endsWith("_label_quality"))!;
  const later = journal.entries.slice(journal.entries.indexOf(mine));
  for (const e of later) fs.rmSync(path.join(before, `${e.tag}.sql`));
  journal.entries = journal.entries.slice(0, journal.entries.indexOf(mine));
  fs.writeFileSync(journalFile, JSON.stringify(journal));

  const file = path.join(dir, "old.db");
  const raw = new Database(file);
  migrate(drizzle(raw), { migrationsFolder: before });
  const now = Date.now();
  raw.exec(`
    insert into users (id, email, name, password_hash, role, disabled, created_at) values ('u1', 'a@b.c', '', '!', 'annotator', 0, ${now});
    insert into projects (id, name, guidelines, k, overlap, allow_ties, flags, likert_scale, created_at) values ('p1', 'P', '', 2, 2, 0, '[]', 7, ${now});
    insert into prompts (id, project_id, text, source, tags, split, text_hash, created_at) values ('q1', 'p1', 'hi', 'import', '[]', 'train', 'h', ${now});
    insert into completions (id, prompt_id, text, origin, created_at) values ('c1', 'q1', 'a', 'import', ${now}), ('c2', 'q1', 'b', 'import', ${now});
    insert into tasks (id, project_id, kind, prompt_id, completion_ids, required_responses, response_count, created_at) values ('t1', 'p1', 'rank', 'q1', '["c1","c2"]', 2, 1, ${now});
    insert into rankings (id, user_id, prompt_id, ordering, not_rankable, flags, ratings, time_ms, source, created_at) values ('r1', 'u1', 'q1', '[["c1"],["c2"]]', 0, '{}', '{}', 5, 'annotator', ${now});`);
  raw.close();

  const db = openDb(file);
  try {
    expect(db.$client.prepare("select name, gold_rate, review_below, selection, require_rationale from projects").get()).toEqual({
      name: "P",
      gold_rate: 0.1,
      review_below: 0.5,
      selection: "random",
      require_rationale: 0,
    });
    expect(db.$client.prepare("select gold, priority, response_count from tasks").get()).toEqual({ gold: 0, priority: 0, response_count: 1 });
    expect(db.$client.prepare("select ordering, rationale from rankings").get()).toEqual({ ordering: '[["c1"],["c2"]]', rationale: null });
    expect(db.$client.prepare("select count(*) as n from gold_items").get()).toEqual({ n: 0 });
    expect(db.$client.prepare("select count(*) as n from reviews").get()).toEqual({ n: 0 });
  } finally {
    await closeDatabase(db);
  }
});
