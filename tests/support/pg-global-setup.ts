// For a PostgreSQL test run (`npm run test:pg`, DATABASE_URL=postgres://…): one migrated template database, from
// which every test's fresh database is copied in a few milliseconds (tests/support/db.ts), dropped at the end.
import pg from "pg";
import { openMigratedPgDb } from "../../db/postgres";

export const PG_TEMPLATE = "rlhf_test_template";

/** The same server, another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<(() => Promise<void>) | void> {
  const url = process.env.DATABASE_URL ?? "";
  if (!/^postgres(ql)?:\/\//.test(url)) return;
  await onServer(url, `drop database if exists ${PG_TEMPLATE} with (force)`);
  await onServer(url, `create database ${PG_TEMPLATE}`);
  const db = await openMigratedPgDb(withDatabase(url, PG_TEMPLATE), { max: 1 });
  await db.$client.end();
  return async () => onServer(url, `drop database if exists ${PG_TEMPLATE} with (force)`);
}
