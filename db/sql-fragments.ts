// The few SQL pieces SQLite and PostgreSQL spell differently, written once here so the services stay dialect-free.
// Each reads the dialect off the table or column it is given (a PostgreSQL process runs on PostgreSQL tables:
// db/schema.ts), so no database handle is needed to build a query.
import { is, sql, type Column, type SQL } from "drizzle-orm";
import { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Table } from "drizzle-orm";

const onPg = (x: Column | Table) => is(x, PgColumn) || is(x, PgTable);

/**
 * Insert order, for lists shown "as imported": SQLite's rowid, or the identity column `seq` that the PostgreSQL form
 * of an insert-ordered table has (db/schema-pg.ts). Random ids carry no order of their own.
 */
export function insertOrder(table: Table): SQL {
  return onPg(table) ? sql`${table}."seq"` : sql`${table}.rowid`;
}

/** One top-level key of a JSON column, as text (`null` when absent). */
export function jsonText(column: Column, key: string): SQL<string | null> {
  if (!/^\w+$/.test(key)) throw new Error(`jsonText: key '${key}' is not a plain name`);
  return onPg(column) ? sql`(${column}->>${sql.raw(`'${key}'`)})` : sql`json_extract(${column}, ${sql.raw(`'$.${key}'`)})`;
}

/** True when a JSON array column holds `value` (a string). */
export function jsonArrayHas(column: Column, value: string): SQL {
  return onPg(column)
    ? sql`exists (select 1 from json_array_elements_text(${column}) as e(v) where e.v = ${value})`
    : sql`exists (select 1 from json_each(${column}) where json_each.value = ${value})`;
}

/** Case-insensitive substring match (SQLite's LIKE already ignores ASCII case; PostgreSQL's needs ILIKE). */
export function containsText(column: Column, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return onPg(column) ? sql`${column} ilike ${pattern} escape '\\'` : sql`${column} like ${pattern} escape '\\'`;
}

/** Rows an insert, update or delete changed: better-sqlite3 says `changes`, node-postgres `rowCount`. */
export function rowsChanged(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return r.changes ?? r.rowCount ?? 0;
}
