// Prepared statements cached per connection for the hot paths (every request, tasks.next, submits). Building and
// compiling a drizzle query costs about 100 µs a call; a prepared one runs in about 10 µs, and at hundreds of
// requests a second that difference is most of the database time. The cached values are db/statements.ts
// `Statement`s, which run on SQLite and PostgreSQL alike.
import type { Db } from "../../db/index";

const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * The statement `build` makes for this connection, built once per connection and key. Give it the database, never
 * a transaction handle (a PostgreSQL one has no `$client`): statements made on the database run inside the open
 * transaction on either (one connection on SQLite; on PostgreSQL the pool sends them to the transaction's client).
 */
export function prepared<T>(db: Db, key: string, build: (db: Db) => T): T {
  let byKey = cache.get(db.$client);
  if (!byKey) cache.set(db.$client, (byKey = new Map()));
  let statement = byKey.get(key) as T | undefined;
  if (statement === undefined) byKey.set(key, (statement = build(db)));
  return statement;
}
