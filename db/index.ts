// The database connection: opened lazily once per process (kept on globalThis because Next loads instrumentation
// and route code as separate module copies). SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (a pool), by
// DATABASE_URL; migrated before use. Services are typed against the SQLite form and run unchanged on both.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema-sqlite";
import { databaseTarget, DatabaseUrlError, type DatabaseTarget } from "./paths";
import { TABLES_DIALECT } from "./schema";
import { openPgDb, type PgDb } from "./postgres";
import { asyncTransaction } from "./sqlite-async";

/**
 * The database as services use it. On PostgreSQL it is a node-postgres drizzle database with the same query API
 * (every query awaited; `db.transaction(async (tx) => …)`); `$client` is then a pg pool.
 */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export { schema };

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Opens (and migrates) a SQLite file, or a PostgreSQL database when given a postgres:// URL. Tests use this. */
export function openDb(fileOrUrl: string, opts: { migrate?: boolean } = {}): Db {
  if (/^postgres(ql)?:\/\//i.test(fileOrUrl)) return openPgDb(fileOrUrl, opts) as unknown as Db;
  fs.mkdirSync(path.dirname(fileOrUrl), { recursive: true });
  const sqlite = new Database(fileOrUrl);
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

/** Closes a database opened with openDb: the SQLite handle, or the PostgreSQL pool. */
export async function closeDatabase(db: Db): Promise<void> {
  const client = db.$client as unknown as { close?: () => void; end?: () => Promise<void> };
  if (client.close) client.close();
  else await client.end?.();
}

const globalForDb = globalThis as unknown as { __rlhfDb?: { key: string; db: Db } };

const keyOf = (t: DatabaseTarget) => (t.dialect === "sqlite" ? t.file : t.url);

/** The process-wide connection for DATABASE_URL, migrated before its first query. */
export function getDb(): Db {
  const target = databaseTarget();
  const cached = globalForDb.__rlhfDb;
  if (cached && cached.key === keyOf(target)) return cached.db;
  // The tables were chosen for one dialect when the schema loaded; the other's connection would misread them.
  if (target.dialect !== TABLES_DIALECT)
    throw new DatabaseUrlError(`DATABASE_URL now names a ${target.dialect} database, but this process started on ${TABLES_DIALECT}; restart it`);
  const db = openDb(keyOf(target));
  globalForDb.__rlhfDb = { key: keyOf(target), db };
  return db;
}

/** Waits until the process-wide database answers (migrations included); throws its one-line error when it cannot. */
export async function databaseReady(): Promise<void> {
  const db = getDb();
  if (db.$client instanceof Database) return;
  await (db as unknown as PgDb).$client.ready();
  await (db as unknown as PgDb).$client.query("select 1");
}

/** Closes the process-wide connection (CLI exit, tests). */
export async function closeDb(): Promise<void> {
  const cached = globalForDb.__rlhfDb;
  globalForDb.__rlhfDb = undefined;
  if (cached) await closeDatabase(cached.db);
}
