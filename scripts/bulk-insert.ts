// Fast row inserts for the benchmark databases, on either database: on SQLite one prepared statement run per row in
// one transaction; on PostgreSQL multi-row INSERTs of a few thousand rows each through the pool (a round trip per
// row would take minutes for the export bench's 450,000 rows).
import type Database from "better-sqlite3";
import type pg from "pg";
import type { Db } from "../db/index";
import { dialectOf } from "../db/statements";

/** PostgreSQL takes at most 65,535 parameters per statement; this stays well under it. */
const PG_PARAMS_PER_STATEMENT = 30_000;

/**
 * Inserts `rows` (values in `columns` order) into `table`. Booleans may be given as true/false; SQLite gets 1/0.
 * On PostgreSQL the batches go one after another, so identity columns (`seq`) number the rows in the given order.
 */
export async function insertRows(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  if (!rows.length) return;
  const head = `insert into ${table} (${columns.join(", ")}) values `;
  if (dialectOf(db) === "sqlite") {
    const sqlite = db.$client as Database.Database;
    const stmt = sqlite.prepare(head + `(${columns.map(() => "?").join(", ")})`);
    sqlite.transaction(() => {
      for (const row of rows) stmt.run(...row.map((v) => (typeof v === "boolean" ? Number(v) : v)));
    })();
    return;
  }
  const pool = db.$client as unknown as pg.Pool;
  const perBatch = Math.max(1, Math.floor(PG_PARAMS_PER_STATEMENT / columns.length));
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const values: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(", ")})`);
    await pool.query(head + tuples.join(", "), values);
  }
}
