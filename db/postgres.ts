// PostgreSQL connections: a pooled drizzle database over the schema's PostgreSQL form (db/schema-pg.ts), migrated
// before its first query (db/migrations-pg), that reads values as SQLite gives them, routes statements made inside a
// transaction to that transaction's connection, and names the server (never the password) when it cannot reach it.
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { pgTables } from "./schema-pg";

export type PgDb = NodePgDatabase<typeof pgTables> & { $client: RoutingPool };

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations-pg");

/** `postgres://user@host:port/db`: the URL as messages may show it (no password, no query string). */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "a PostgreSQL URL that does not parse";
  }
}

/** The database cannot be reached (down, wrong host or credentials): one line naming the server. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/**
 * PostgreSQL's SQLSTATEs for "try again": a serialization failure, a deadlock (one side is rolled back), a lock not
 * available, too many connections, a server starting or shutting down.
 */
const PG_RETRYABLE = new Set(["40001", "40P01", "55P03", "53300", "57P03"]);

/**
 * The database is busy and the request may simply be tried again: SQLite's "database is locked" (SQLITE_BUSY and its
 * extended codes, from better-sqlite3) or PostgreSQL's retryable errors (from node-postgres, which drizzle may wrap
 * in an error whose `cause` it is).
 */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("SQLITE_BUSY") || PG_RETRYABLE.has(code))) return true;
  }
  return false;
}

/** The DatabaseUnavailableError an error is, or wraps (drizzle wraps driver errors in a DrizzleQueryError). */
export function databaseUnavailable(err: unknown): DatabaseUnavailableError | undefined {
  const e = connectionError(err);
  return e instanceof DatabaseUnavailableError ? e : undefined;
}

/**
 * The error (or the cause inside drizzle's DrizzleQueryError) that means "no usable connection", as opposed to a
 * statement the server refused; undefined when there is none.
 */
function connectionError(err: unknown): Error | undefined {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined, n = 0; e && n < 8; e = e.cause as typeof e, n++) {
    if (e instanceof DatabaseUnavailableError) return e;
    if (e.code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|57P0[123]|08\w\w|28P01|28000|3D000)$/.test(e.code)) return e as Error;
    if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message ?? "")) return e as Error;
  }
  return undefined;
}

/**
 * Values as SQLite gives them, so one set of services (and their raw rows) reads the same on both: 64-bit integers
 * and numerics as numbers (counts, epoch milliseconds), JSON as its text (drizzle's json columns parse text). Set on
 * pg's global parsers: drizzle's raw `execute` passes parsers of its own that fall back to the global ones, not the
 * pool's.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));
pg.types.setTypeParser(pg.types.builtins.JSON, (v: string) => v);

/** The transaction open in this async context, if any: its connection and its drizzle handle. */
const open = new AsyncLocalStorage<{ client: pg.PoolClient; tx: unknown }>();

/**
 * A pool whose statements wait for the migrations, go to the open transaction's connection when made inside one
 * (on SQLite every statement shares the one connection, so services may use `db` inside `db.transaction`), and fail
 * with a one-line DatabaseUnavailableError when the server cannot be reached.
 */
export class RoutingPool extends pg.Pool {
  private migrated: Promise<void> | null = null;
  constructor(
    readonly description: string,
    config: pg.PoolConfig,
    private readonly migrateFirst: ((pool: RoutingPool) => Promise<void>) | null,
  ) {
    super(config);
    // An idle connection the server dropped must not bring the process down; the next query reconnects.
    this.on("error", () => {});
  }

  /** Resolves once the migrations ran; a failure (server down) is retried by the next statement. */
  ready(): Promise<void> {
    if (!this.migrateFirst) return Promise.resolve();
    this.migrated ??= this.migrateFirst(this).catch((err: unknown) => {
      this.migrated = null;
      throw err;
    });
    return this.migrated;
  }

  unavailable(err: unknown): unknown {
    const cause = connectionError(err);
    if (!cause) return err;
    if (cause instanceof DatabaseUnavailableError) return cause;
    return new DatabaseUnavailableError(`cannot reach PostgreSQL at ${this.description}: ${cause.message?.split("\n")[0] || String(cause)}`);
  }

  override async query(config: unknown, values?: unknown) {
    const inTx = open.getStore();
    if (inTx) return inTx.client.query(config as pg.QueryConfig, values as unknown[]);
    await this.ready();
    try {
      return await super.query(config as pg.QueryConfig, values as unknown[]);
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
    // pg's own query() checks connections out with a callback: that path is already past ready().
    if (callback) return super.connect(callback);
    return this.ready()
      .then(() => super.connect())
      .catch((err: unknown) => {
        throw this.unavailable(err);
      });
  }
}

/**
 * A drizzle database on a RoutingPool. `db.transaction(async (tx) => …)` runs on one connection and makes that
 * connection the one every statement of its async context uses; a transaction opened inside another is a savepoint.
 */
export function openPgDb(url: string, opts: { migrate?: boolean; max?: number } = {}): PgDb {
  let db!: PgDb;
  const pool = new RoutingPool(describePostgresUrl(url), { connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 10_000 }, opts.migrate === false ? null : async () => {
    // The migrator checks connections out of a plain pool of its own, so it never waits on `ready` itself.
    const plain = new pg.Pool({ connectionString: url, max: 1 });
    plain.on("error", () => {});
    try {
      await migrate(drizzle(plain, { schema: pgTables }), { migrationsFolder: MIGRATIONS });
    } catch (err) {
      throw pool.unavailable(err);
    } finally {
      await plain.end();
    }
  });
  db = drizzle(pool, { schema: pgTables }) as PgDb;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (tx: unknown) => Promise<unknown>) => {
    const outer = open.getStore();
    if (outer) return (outer.tx as PgDb).transaction(fn as never);
    return transaction((tx) => open.run({ client: (tx as unknown as { session: { client: pg.PoolClient } }).session.client, tx }, () => fn(tx)));
  }) as PgDb["transaction"];
  return db;
}

/** Opens a pool on `url` and applies the PostgreSQL migrations now (tests, `rlhf db migrate`). */
export async function openMigratedPgDb(url: string, opts: { max?: number } = {}): Promise<PgDb> {
  const db = openPgDb(url, { max: opts.max });
  await db.$client.ready();
  return db;
}
