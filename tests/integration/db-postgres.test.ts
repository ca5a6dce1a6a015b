// PostgreSQL (runs when RLHF_TEST_PG_URL names a server, as .ci/run's PostgreSQL stage does): the PostgreSQL
// migrations build the same tables, columns and indexes as the SQLite ones, and rows read back as the same values.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../db/index";
import { describePostgresUrl, openPgDb, type PgDb } from "../../db/postgres";
import * as schema from "../../db/schema-sqlite";
import { pgTables } from "../../db/schema-pg";

const serverUrl = process.env.RLHF_TEST_PG_URL;
const dbName = `rlhf_schema_${process.pid}_${Date.now()}`;
let admin: pg.Client;
let pgDb: PgDb;
let sqliteDb: Db;
let dir: string;

describe.runIf(serverUrl)("PostgreSQL migrations and values", () => {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${dbName}`;
    pgDb = await openPgDb(url.toString(), { max: 2 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-pg-"));
    sqliteDb = openDb(path.join(dir, "t.db"));
  });

  afterAll(async () => {
    await pgDb?.$client.end();
    sqliteDb?.$client.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin?.end();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("builds the tables, columns (with nullability) and indexes the SQLite migrations build", async () => {
    const sqliteTables = (sqliteDb.$client.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`).all() as { name: string }[]).map((r) => r.name).sort();
    const pgTablesFound = (await pgDb.$client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY table_name`)).rows.map((r) => r.table_name as string);
    expect(pgTablesFound).toEqual(sqliteTables);
    for (const table of sqliteTables) {
      const sqliteCols = (sqliteDb.$client.prepare(`PRAGMA table_info(${table})`).all() as { name: string; notnull: number; pk: number }[]).map((c) => `${c.name} ${c.notnull || c.pk ? "not null" : "null"}`).sort();
      const pgCols = (await pgDb.$client.query(`SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema='public' AND table_name=$1`, [table])).rows
        .map((c) => `${c.column_name} ${c.is_nullable === "NO" ? "not null" : "null"}`)
        // SQLite's rowid, as a column of its own on PostgreSQL (db/schema-pg.ts)
        .filter((c) => !((schema.INSERT_ORDERED_TABLES as readonly string[]).includes(table) && c === "seq not null"))
        .sort();
      expect(pgCols, table).toEqual(sqliteCols);
      const sqliteIndexes = (sqliteDb.$client.prepare(`SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=? AND name NOT LIKE 'sqlite_autoindex%'`).all(table) as { name: string }[]).map((r) => r.name);
      const pgIndexes = (await pgDb.$client.query(`SELECT indexname FROM pg_indexes WHERE schemaname='public' AND tablename=$1 AND indexname NOT LIKE '%_pkey'`, [table])).rows.map((r) => r.indexname as string);
      expect(pgIndexes.sort(), table).toEqual(sqliteIndexes.sort());
    }
  });

  it("reads back dates, booleans, JSON (key order kept) and reals as SQLite does", async () => {
    const created = new Date(1_732_400_000_123);
    const project = { id: "p1", name: "values", flags: ["harmful", "off-topic"], allowTies: true, goldRate: 0.125, createdAt: created };
    const run = { id: "r1", kind: "ppo", status: "queued" as const, config: { zeta: 1, alpha: [1, 2], nested: { b: 1, a: 2 } }, createdAt: created };
    await sqliteDb.insert(schema.projects).values(project);
    await sqliteDb.insert(schema.runs).values(run);
    await pgDb.insert(pgTables.projects!).values(project);
    await pgDb.insert(pgTables.runs!).values(run);
    const fromSqlite = await sqliteDb.select().from(schema.projects);
    const fromPg = await pgDb.select().from(pgTables.projects!);
    expect(fromPg).toEqual(fromSqlite);
    expect(fromPg[0]!.createdAt).toEqual(created);
    const runPg = (await pgDb.select().from(pgTables.runs!))[0]!;
    expect(JSON.stringify(runPg.config)).toBe(JSON.stringify(run.config));
    expect(runPg).toEqual((await sqliteDb.select().from(schema.runs))[0]);
  });

  it("names the server in messages, never the password", () => {
    expect(describePostgresUrl("postgres://app:s3cret@db.internal:5432/rlhf?sslmode=require")).toBe("postgres://app@db.internal:5432/rlhf");
  });
});
