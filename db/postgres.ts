// PostgreSQL connections: a pooled drizzle database over the schema's PostgreSQL form (db/schema-pg.ts), its
// migrations (db/migrations-pg), and a URL's description for messages that must never show the password.
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { pgTables } from "./schema-pg";

export type PgDb = NodePgDatabase<typeof pgTables> & { $client: pg.Pool };

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

/** Opens a pool on `url` and, unless told not to, applies the PostgreSQL migrations. */
export async function openPgDb(url: string, opts: { migrate?: boolean; max?: number } = {}): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  const db = drizzle(pool, { schema: pgTables }) as PgDb;
  if (opts.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}
