// The PostgreSQL schema is derived from db/schema-sqlite.ts: every table, column, index and foreign key is there in
// both forms (insert-ordered tables add `seq`, SQLite's rowid), db/schema.ts names every table, and the committed
// migrations of both dialects are up to date with the schema (no pending change).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { is } from "drizzle-orm";
import { getTableConfig as pgConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { generateDrizzleJson, generateMigration, generateSQLiteDrizzleJson, generateSQLiteMigration } from "drizzle-kit/api";
import * as sqlite from "../../db/schema-sqlite";
import * as facade from "../../db/schema";
import { pgTables } from "../../db/schema-pg";

const sqliteTables = Object.entries(sqlite).filter(([, v]) => is(v, SQLiteTable)) as [string, SQLiteTable][];
const pgExports = pgTables as Record<string, PgTable>;
const ordered = new Set<string>(sqlite.INSERT_ORDERED_TABLES);

/** The PostgreSQL form minus what stands in for SQLite's rowid: the `seq` column and its place at the end of indexes. */
function withoutSeq(s: ReturnType<typeof shape>) {
  if (!ordered.has(s.name)) return s;
  expect(s.columns.map((c) => c.name)).toContain("seq");
  return {
    ...s,
    columns: s.columns.filter((c) => c.name !== "seq"),
    indexes: s.indexes.map((i) => ({ ...i, columns: i.columns.at(-1) === "seq" && !i.unique ? i.columns.slice(0, -1) : i.columns })),
  };
}

/** A dialect-free description of a table: what must match between the two forms. */
function shape(config: ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>) {
  return {
    name: config.name,
    columns: config.columns.map((c) => ({ name: c.name, notNull: c.notNull, primary: c.primary, unique: c.isUnique, hasDefault: c.hasDefault })),
    indexes: config.indexes
      .map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.map((c) => (c as { name: string }).name), partial: Boolean(i.config.where) }))
      .sort((a, b) => a.name!.localeCompare(b.name!)),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const r = fk.reference();
        return `${r.columns.map((c) => c.name)} -> ${(r.foreignTable as unknown as { [k: symbol]: string })[Symbol.for("drizzle:Name")]}.${r.foreignColumns.map((c) => c.name)} on delete ${fk.onDelete ?? "no action"}`;
      })
      .sort(),
  };
}

function latestSnapshot(dir: string) {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, "meta/_journal.json"), "utf8")) as { entries: { idx: number }[] };
  const last = journal.entries.at(-1)!.idx;
  return JSON.parse(fs.readFileSync(path.join(dir, "meta", `${String(last).padStart(4, "0")}_snapshot.json`), "utf8"));
}

describe("the PostgreSQL schema derived from db/schema-sqlite.ts", () => {
  it("names every table in db/schema.ts, the module services import (drizzle-kit reads named exports only)", () => {
    const named = Object.entries(facade).filter(([, v]) => is(v, SQLiteTable) || is(v, PgTable));
    expect(named.map(([name]) => name).sort()).toEqual(sqliteTables.map(([name]) => name).sort());
    for (const [name, table] of named) expect(table, name).toBe(Object.fromEntries(sqliteTables)[name]); // a SQLite process
  });

  it("has the same tables, columns, indexes and foreign keys", () => {
    for (const [name, table] of sqliteTables) expect(withoutSeq(shape(pgConfig(pgExports[name]!))), name).toEqual(shape(sqliteConfig(table)));
  });

  it("compares a boolean in a partial index with true, not 1 (PostgreSQL has no boolean = integer)", () => {
    const gold = pgConfig(pgExports.tasks!).indexes.find((i) => i.config.name === "tasks_gold")!;
    const text = gold.config.where!.queryChunks.map((c) => ((c as { value?: string[] }).value ?? []).join("")).join("");
    expect(text).toContain("= true");
  });

  it("has committed SQLite and PostgreSQL migrations that match the schema (run `npm run db:generate`)", async () => {
    const sqliteNow = await generateSQLiteDrizzleJson(Object.fromEntries(sqliteTables));
    expect(await generateSQLiteMigration(latestSnapshot("db/migrations"), sqliteNow)).toEqual([]);
    const pgNow = generateDrizzleJson(pgExports);
    expect(await generateMigration(latestSnapshot("db/migrations-pg"), pgNow)).toEqual([]);
  });
});
