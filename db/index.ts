// The database connection: opened lazily once per process (kept on globalThis because Next loads
// instrumentation and route code as separate module copies), WAL, foreign keys, busy timeout, migrations.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";
import { databasePath } from "./paths";
import { asyncTransaction } from "./sqlite-async";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export { schema };

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Opens (and migrates) a database file. Tests use this with a temporary file. */
export function openDb(file: string, opts: { migrate?: boolean } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as Db;
  writeTransactionsTakeTheLockFirst(db);
  if (opts.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

/**
 * `db.transaction(async (tx) => …)` as the services write it, on the one connection (sqlite-async.ts). Every
 * transaction here writes, so each begins IMMEDIATE (taking the write lock at BEGIN, waiting in the busy handler if
 * another connection holds it). A DEFERRED one reads first and fails at its first write, without waiting, with
 * SQLITE_BUSY when another process (an import, the worker) committed in between: a spurious 503.
 */
function writeTransactionsTakeTheLockFirst(db: Db): void {
  db.transaction = ((fn: (tx: Db) => Promise<unknown>) => asyncTransaction(db, fn)) as unknown as Db["transaction"];
}

const globalForDb = globalThis as unknown as { __rlhfDb?: { file: string; db: Db } };

/** The process-wide connection for DATABASE_URL, migrated on first use. */
export function getDb(): Db {
  const file = databasePath();
  const cached = globalForDb.__rlhfDb;
  if (cached && cached.file === file) return cached.db;
  const db = openDb(file);
  globalForDb.__rlhfDb = { file, db };
  return db;
}

/** Closes the process-wide connection (CLI exit, tests). */
export function closeDb(): void {
  globalForDb.__rlhfDb?.db.$client.close();
  globalForDb.__rlhfDb = undefined;
}
