// Temporary databases for tests, removed when the test is done: a SQLite file in its own folder (WAL needs a real
// file, not :memory:), or, when the run's DATABASE_URL is PostgreSQL (`npm run test:pg`), a fresh database on that
// server (the folder is still made, for RLHF_HOME).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { TABLES_DIALECT } from "../../db/schema";
import { pgTemplate, withDatabase } from "./pg-global-setup";

export interface TempDb {
  db: Db;
  /** What DATABASE_URL should say to reach it: the SQLite file, or the PostgreSQL URL. */
  file: string;
  dir: string;
  close(): Promise<void>;
}

/** True in a PostgreSQL test run: tests that read SQLite files directly skip with this. */
export const onPostgres = TABLES_DIALECT === "postgresql";

/** The server of a PostgreSQL test run, as given at the start (the tests' own DATABASE_URL changes per database). */
const serverUrl = onPostgres ? (process.env.RLHF_TEST_PG_SERVER ?? process.env.DATABASE_URL!) : "";
if (onPostgres) process.env.RLHF_TEST_PG_SERVER = serverUrl;

/**
 * Runs statements on the test server's maintenance database, synchronously (psql): a test's database exists, already
 * migrated (copied from the run's template), before anything opens it.
 */
function onServer(...statements: string[]): void {
  const r = spawnSync("psql", [withDatabase(serverUrl, "postgres"), "-v", "ON_ERROR_STOP=1", "-q", ...statements.flatMap((s) => ["-c", s])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
}

/** A fresh, migrated database (and a temp folder beside it). */
export function createTempDb(prefix = "rlhf-test-"): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (onPostgres) return createTempPgDb(dir);
  const file = path.join(dir, "test.db");
  const db = openDb(file);
  return {
    db,
    file,
    dir,
    async close() {
      try {
        db.$client.close();
      } catch {
        // already closed
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function createTempPgDb(dir: string): TempDb {
  const name = `rlhf_test_${randomBytes(6).toString("hex")}`;
  onServer(`create database ${name} template ${pgTemplate()}`);
  const url = withDatabase(serverUrl, name);
  const db = openDb(url);
  return {
    db,
    file: url,
    dir,
    async close() {
      await closeDatabase(db).catch(() => {});
      try {
        onServer(`drop database if exists ${name} with (force)`);
      } catch {
        // the cluster is thrown away at the end of the run anyway
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
  beforeAll(async () => {
    t = createTempDb(prefix);
    await closeDatabase(t.db); // the CLI opens its own connection from DATABASE_URL
    Object.assign(where, { file: t.file, dir: t.dir });
    process.env.DATABASE_URL = t.file;
    process.env.RLHF_HOME = t.dir;
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    await t?.close();
  });
  return where;
}
