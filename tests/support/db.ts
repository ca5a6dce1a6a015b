// Temporary database files for tests (WAL needs a real file, not :memory:), removed when the test is done.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
