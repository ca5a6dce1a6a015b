// Asynchronous transactions on one better-sqlite3 connection, so services can be written once, with `await`, for
// SQLite and PostgreSQL alike (drizzle's better-sqlite3 transactions take synchronous callbacks only).
//
// One connection serves every request of a process, so a transaction whose callback awaits would otherwise let
// another request's statements run inside it between two awaits: its writes lost if this transaction rolls back,
// and this transaction's uncommitted rows visible to it. So while a transaction is open:
// - other transactions wait for it (a process-wide queue), and
// - a drizzle query awaited outside it waits for it too (AsyncLocalStorage tells the transaction's own queries from
//   everyone else's; the check sits in QueryPromise.then, which every awaited drizzle query goes through).
// Queries run synchronously as before (`.all()`, `.get()`, `.run()` bypass the queue: they cannot wait), and raw
// statements on `$client` must be preceded by `await idle(db)` outside a transaction.
// A nested `transaction` is a SAVEPOINT, as drizzle's own nested transactions are.
import { AsyncLocalStorage } from "node:async_hooks";
import { QueryPromise } from "drizzle-orm";
import type Database from "better-sqlite3";

interface Guard {
  client: Database.Database;
  /** Resolves when the open transaction (if any) ends; the tail of the queue of waiting transactions. */
  tail: Promise<void>;
  open: boolean;
  savepoints: number;
}

const context = new AsyncLocalStorage<Guard>();
const guards = new WeakMap<object, Guard>(); // drizzle session -> its guard

let patched = false;
/** Makes every awaited drizzle query on a guarded session wait for another context's open transaction. */
function patchQueryPromise(): void {
  if (patched) return;
  patched = true;
  const then = QueryPromise.prototype.then;
  QueryPromise.prototype.then = function (this: QueryPromise<unknown> & { session?: object }, onFulfilled, onRejected) {
    const guard = this.session ? guards.get(this.session) : undefined;
    if (!guard || !guard.open || context.getStore() === guard) return then.call(this, onFulfilled, onRejected);
    return guard.tail.then(() => then.call(this, onFulfilled, onRejected)) as ReturnType<typeof then>;
  } as typeof then;
}

/** A drizzle better-sqlite3 database: its connection, and (not in drizzle's public types) the session its queries carry. */
export interface GuardableDb {
  $client: Database.Database;
}
const sessionOf = (db: GuardableDb) => (db as unknown as { session: object }).session;

/**
 * Runs `fn` in one IMMEDIATE transaction on the database's connection: committed when it resolves, rolled back when
 * it throws. The callback gets the database itself (statements on the one connection are the transaction's).
 */
export async function asyncTransaction<D extends GuardableDb, T>(db: D, fn: (tx: D) => Promise<T>): Promise<T> {
  patchQueryPromise();
  let guard = guards.get(sessionOf(db));
  if (!guard) {
    guard = { client: db.$client, tail: Promise.resolve(), open: false, savepoints: 0 };
    guards.set(sessionOf(db), guard);
  }
  if (context.getStore() === guard) return savepoint(guard, db, fn);
  const previous = guard.tail;
  let end!: () => void;
  guard.tail = new Promise<void>((resolve) => (end = resolve));
  await previous;
  const g = guard;
  g.open = true;
  try {
    return await context.run(g, async () => {
      g.client.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(db);
        g.client.exec("COMMIT");
        return result;
      } catch (err) {
        if (g.client.inTransaction) g.client.exec("ROLLBACK");
        throw err;
      }
    });
  } finally {
    g.open = false;
    end();
  }
}

async function savepoint<D, T>(guard: Guard, db: D, fn: (tx: D) => Promise<T>): Promise<T> {
  const name = `sp${++guard.savepoints}`;
  guard.client.exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn(db);
    guard.client.exec(`RELEASE ${name}`);
    return result;
  } catch (err) {
    guard.client.exec(`ROLLBACK TO ${name}`);
    guard.client.exec(`RELEASE ${name}`);
    throw err;
  } finally {
    guard.savepoints--;
  }
}

/** Waits until no other context's transaction is open on this database: for raw `$client` statements. */
export async function idle(db: GuardableDb): Promise<void> {
  const guard = guards.get(sessionOf(db));
  if (!guard || !guard.open || context.getStore() === guard) return;
  await guard.tail;
}

/** True when a raw statement must first wait for `idle`: another context's transaction is open on this database. */
export function mustWait(db: GuardableDb): boolean {
  const guard = guards.get(sessionOf(db));
  return !!guard && guard.open && context.getStore() !== guard;
}
