// For a PostgreSQL test run (`npm run test:pg`, DATABASE_URL=postgres://…): one migrated template database, from
// which every test's fresh database is copied in a few milliseconds (tests/support/db.ts), dropped at the end.
import pg from "pg";
import { openMigratedPgDb } from "../../db/postgres";

/** The template of this run (its own name, so two runs on one server do not drop each other's), told to the test workers. */
export const pgTemplate = () => process.env.RLHF_TEST_PG_TEMPLATE ?? "rlhf_test_template";

/** The same server, another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on a server's maintenance database (`postgres`): creating and dropping databases. */
export async function onMaintenanceDb(url: string, statement: string): Promise<void> {
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
  const template = `rlhf_test_template_${process.pid}`;
  process.env.RLHF_TEST_PG_TEMPLATE = template;
  await onMaintenanceDb(url, `drop database if exists ${template} with (force)`);
  await onMaintenanceDb(url, `create database ${template}`);
  const db = await openMigratedPgDb(withDatabase(url, template), { max: 1 });
  await db.$client.end();
  return async () => onMaintenanceDb(url, `drop database if exists ${template} with (force)`);
}
