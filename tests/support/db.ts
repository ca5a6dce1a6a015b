// Temporary database files for tests (WAL needs a real file, not :memory:), removed when the test is done.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { openDb, type Db } from "../../db/index";

export interface TempDb {
  db: Db;
  file: string;
  dir: string;
  close(): void;
}

/** A fresh, migrated database in its own temp folder. */
export function createTempDb(prefix = "rlhf-test-"): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, "test.db");
  const db = openDb(file);
  return {
    db,
    file,
    dir,
    close() {
      try {
        db.$client.close();
      } catch {
        // already closed
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For CLI tests: a temporary database that the in-process CLI opens itself through DATABASE_URL (with RLHF_HOME in
 * the same folder), set before the file's tests and restored after them. The returned paths fill in at beforeAll.
 */
export function cliDatabase(prefix: string): { file: string; dir: string } {
  const where = { file: "", dir: "" };
  const saved = { DATABASE_URL: process.env.DATABASE_URL, RLHF_HOME: process.env.RLHF_HOME };
  let t: TempDb | undefined;
  beforeAll(() => {
    t = createTempDb(prefix);
    t.db.$client.close(); // the CLI opens its own connection from DATABASE_URL
    Object.assign(where, { file: t.file, dir: t.dir });
    process.env.DATABASE_URL = t.file;
    process.env.RLHF_HOME = t.dir;
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    t?.close();
  });
  return where;
}
