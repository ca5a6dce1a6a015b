// Statements written once and run on either database: drizzle queries prepared with placeholders, and hand-written
// SQL with `@name` parameters for the few hot paths where drizzle's per-call cost shows. On SQLite they are
// better-sqlite3 prepared statements (run synchronously, after any other request's open transaction: sqlite-async.ts);
// on PostgreSQL, named prepared statements on the pool.
import { fillPlaceholders, sql, type Query, type SQL } from "drizzle-orm";
import type Database from "better-sqlite3";
import type pg from "pg";
import { idle, mustWait } from "./sqlite-async";

/** Which database a connection is: a better-sqlite3 handle can `prepare`, a pg pool cannot. */
export type Dialect = "sqlite" | "postgresql";
export function dialectOf(db: { $client: unknown }): Dialect {
  // A drizzle PostgreSQL transaction handle has no `$client`; SQLite's transactions hand out the database itself.
  return typeof (db.$client as { prepare?: unknown } | undefined)?.prepare === "function" ? "sqlite" : "postgresql";
}

/**
 * Advisory lock keys, one per kind of read-then-write that must not interleave across processes: filing prompts and
 * opening tasks (a prompt is filed once per text, a ranking task once per completion set, each found by reading
 * first); taking away an admin (the last enabled admin must stay); deciding a review (an open review is resolved or
 * sent back once); and the first-start work (the first admin, the demo project and the built-in model are made once
 * when several web instances and workers start together). Taking a lock the transaction already holds is allowed
 * and cheap, so a function that needs one takes it itself.
 */
const LOCKS = { tasks: 0x726c6866_02, admins: 0x726c6866_03, reviews: 0x726c6866_04, bootstrap: 0x726c6866_05 } as const;

/**
 * Takes the named lock until the transaction ends (inside a transaction only: outside one it would be released at
 * once); best first in the transaction, before any row locks, so two holders never wait on each other. On SQLite a no-op: every
 * transaction begins IMMEDIATE, holding the one write lock already (db/index.ts). On PostgreSQL,
 * `pg_advisory_xact_lock`: the same serialization for just these transactions, released at commit or rollback.
 */
export async function lockFor(db: object, what: keyof typeof LOCKS): Promise<void> {
  if (dialectOf(db as { $client: unknown }) === "sqlite") return;
  // `execute` on the transaction handle (or the database, whose pool routes it to the open transaction's client).
  await (db as unknown as { execute(q: SQL): Promise<unknown> }).execute(sql`select pg_advisory_xact_lock(${LOCKS[what]})`);
}

/**
 * A queue's "take the oldest waiting row" select, for a claim inside a transaction: on PostgreSQL read `for update
 * skip locked`, so a second worker passes over a row another is claiming and takes the next one, instead of
 * waiting for it and then finding it gone. On SQLite as it is (the transaction already holds the write lock).
 */
export function skipLocked<Q>(db: { $client: unknown }, select: Q): Q {
  if (dialectOf(db) === "sqlite") return select;
  // `Db` is typed as SQLite's, whose builder has no locking clause; on PostgreSQL the builder is a PgSelect.
  return (select as unknown as { for(strength: "update", config: { skipLocked: true }): Q }).for("update", { skipLocked: true });
}

/**
 * The locks that keep a task from being handed out past its overlap, or answered twice, by two processes at once:
 * one task's (nextTask once it has picked a task, and the submits) and one annotator's (nextTask, so one person's two
 * tabs do not both take a new task). Per task and per annotator rather than one key for all, so instances hand out
 * and take different tasks side by side. PostgreSQL's two-key advisory locks (their own key space, apart from
 * lockFor's); no-ops on SQLite, whose transactions already hold the one write lock.
 */
export async function lockTask(db: object, taskId: string): Promise<void> {
  await lockNamed(db, `task:${taskId}`);
}
export async function lockAnnotator(db: object, userId: string): Promise<void> {
  await lockNamed(db, `user:${userId}`);
}
async function lockNamed(db: object, key: string): Promise<void> {
  if (dialectOf(db as { $client: unknown }) === "sqlite") return;
  await (db as unknown as { execute(q: SQL): Promise<unknown> }).execute(sql`select pg_advisory_xact_lock(1, hashtext(${key}))`);
}

type Params = Record<string, unknown>;

/** One prepared statement: rows as objects, the first row, raw rows as arrays (no per-row mapping), or rows changed. */
export interface Statement<Row> {
  all(params?: Params): Promise<Row[]>;
  get(params?: Params): Promise<Row | undefined>;
  values(params?: Params): Promise<unknown[][]>;
  run(params?: Params): Promise<number>;
}

/** The drizzle query builders this accepts: anything with `prepare` and `toSQL` (select, insert, update, delete). */
interface Preparable<Row> {
  prepare(name?: string): unknown;
  toSQL(): Query;
  _: { result: Row[] | unknown };
}
type RowOf<Q> = Q extends { _: { result: (infer R)[] } } ? R : Q extends PromiseLike<(infer R)[]> ? R : never;

interface SqlitePrepared {
  all(p?: Params): unknown[];
  get(p?: Params): unknown;
  values(p?: Params): unknown[][];
  run(p?: Params): { changes: number };
}
interface PgPrepared {
  execute(p?: Params): Promise<unknown>;
}

let pgNames = 0;

/**
 * Runs a SQLite statement now, or after another request's open transaction ends (sqlite-async.ts). Inside a
 * transaction, or with none open, it runs at once: tasks.next runs a dozen statements, and an `await idle()` before
 * each cost it a fifth of its time.
 */
function afterOthers(guard: Parameters<typeof idle>[0]) {
  return <T>(run: () => T): Promise<T> => {
    if (!mustWait(guard)) {
      try {
        return Promise.resolve(run());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return idle(guard).then(run);
  };
}

/** A drizzle query (with `sql.placeholder`s) prepared once: rows come back mapped as the query's own result would. */
export function queryStatement<Q extends Preparable<unknown>>(db: { $client: unknown }, query: Q): Statement<RowOf<Q>> {
  type Row = RowOf<Q>;
  if (dialectOf(db) === "sqlite") {
    const p = query.prepare() as SqlitePrepared;
    const guard = db as unknown as Parameters<typeof idle>[0];
    const when = afterOthers(guard);
    return {
      all: (params) => when(() => p.all(params) as Row[]),
      get: (params) => when(() => p.get(params) as Row | undefined),
      values: (params) => when(() => p.values(params)),
      run: (params) => when(() => p.run(params).changes),
    };
  }
  const p = query.prepare(`q${++pgNames}`) as PgPrepared;
  const { sql: text, params: template } = query.toSQL();
  const pool = db.$client as pg.Pool;
  return {
    all: async (params) => (await p.execute(params)) as Row[],
    get: async (params) => ((await p.execute(params)) as Row[])[0],
    values: async (params) => (await pool.query({ text, values: fillPlaceholders(template, params ?? {}), rowMode: "array" })).rows as unknown[][],
    run: async (params) => (await pool.query({ text, values: fillPlaceholders(template, params ?? {}) })).rowCount ?? 0,
  };
}

/**
 * Hand-written SQL with `@name` parameters, prepared once. Write it in the SQL both databases share (`sqlBoolean`
 * for boolean literals; `jsonList(...)` for a JSON array parameter; booleans may be passed as parameters). Rows are the driver's: integers as numbers, JSON as text.
 */
export function sqlStatement<Row>(db: { $client: unknown }, text: string): Statement<Row> {
  const names: string[] = [];
  if (dialectOf(db) === "sqlite") {
    const stmt = (db.$client as Database.Database).prepare(text);
    // Raw mode sticks to a better-sqlite3 statement, so `.values` gets its own, made on first use.
    let rawStmt: Database.Statement | undefined;
    for (const m of text.matchAll(/@(\w+)/g)) if (!names.includes(m[1]!)) names.push(m[1]!);
    // better-sqlite3 refuses parameters the statement does not name, and wants every one it names.
    // Booleans go in as 1/0 (better-sqlite3 binds no booleans; SQLite stores them so).
    const bind = (params: Params = {}) => (names.length ? [Object.fromEntries(names.map((n) => [n, toSqlite(params[n])]))] : []);
    const when = afterOthers(db as unknown as Parameters<typeof idle>[0]);
    return {
      all: (params) => when(() => stmt.all(...bind(params)) as Row[]),
      get: (params) => when(() => stmt.get(...bind(params)) as Row | undefined),
      values: (params) => when(() => (rawStmt ??= stmt.database.prepare(text).raw(true)).all(...bind(params)) as unknown[][]),
      run: (params) => when(() => stmt.run(...bind(params)).changes),
    };
  }
  const pgText = text.replace(/@(\w+)/g, (_, name: string) => {
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  const name = `s${++pgNames}`;
  const pool = db.$client as pg.Pool;
  const values = (params: Params = {}) => names.map((n) => toPg(params[n]));
  return {
    all: async (params) => (await pool.query({ name, text: pgText, values: values(params) })).rows as Row[],
    get: async (params) => (await pool.query({ name, text: pgText, values: values(params) })).rows[0] as Row | undefined,
    values: async (params) => (await pool.query({ name: `${name}a`, text: pgText, values: values(params), rowMode: "array" })).rows as unknown[][],
    run: async (params) => (await pool.query({ name, text: pgText, values: values(params) })).rowCount ?? 0,
  };
}

const toSqlite = (v: unknown) => (v === undefined ? null : typeof v === "boolean" ? Number(v) : v);
/** Booleans and undefined as PostgreSQL takes them (SQLite's 0/1 are written as true/false in shared SQL). */
const toPg = (v: unknown) => (v === undefined ? null : v);

/**
 * A boolean literal for hand-written SQL: `1`/`0` on SQLite, `true`/`false` on PostgreSQL (which has no boolean =
 * integer). SQLite reads TRUE as 1 but matches a partial index's `where gold = 1` only when the query spells it the
 * same way: with `t.gold = true`, tasks.next leaves tasks_gold for a scan and sort of every open task.
 */
export function sqlBoolean(db: { $client: unknown }, value: boolean): string {
  return dialectOf(db) === "sqlite" ? (value ? "1" : "0") : value ? "true" : "false";
}

/** `id in (<this>)` over a JSON array of strings passed as one parameter: the list's values, on either database. */
export function jsonList(db: { $client: unknown }, param: string): string {
  return dialectOf(db) === "sqlite" ? `select value from json_each(@${param})` : `select json_array_elements_text(@${param}::json)`;
}

/** Rows of a raw drizzle `sql` query (reports that read several tables at once), as the driver returns them. */
export async function allRows<Row>(db: { $client: unknown }, query: SQL): Promise<Row[]> {
  if (dialectOf(db) === "sqlite") {
    await idle(db as unknown as Parameters<typeof idle>[0]);
    return (db as unknown as { all(q: unknown): Row[] }).all(query);
  }
  return (await (db as unknown as { execute(q: unknown): Promise<{ rows: Row[] }> }).execute(query)).rows;
}
