// The PostgreSQL form of the one schema: every table of db/schema-sqlite.ts rebuilt as a pgTable by reading its column,
// index and foreign-key definitions, so the SQLite schema stays the only place a table or column is declared.
// Insert-ordered tables (INSERT_ORDERED_TABLES) get one column more, `seq`, an identity that stands in for SQLite's rowid.
//
// Storage mirrors SQLite's so one set of services (and their few raw SQL fragments) reads the same values on both:
// timestamps are epoch milliseconds in a bigint (mapped to Date as SQLite's timestamp_ms), JSON is `json` (text kept
// as written, so exports list keys in the order they were stored; jsonb would reorder them), integers are bigint
// (SQLite's are 64-bit), REAL is double precision, and SQLite's autoincrement keys are identity columns.
import { is, SQL, StringChunk } from "drizzle-orm";
import { getTableConfig, SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  json,
  pgTable,
  text,
  uniqueIndex,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
} from "drizzle-orm/pg-core";
import * as sqlite from "./schema-sqlite";

/** Epoch milliseconds in a bigint, read back as a Date: SQLite's `timestamp_ms` mode on PostgreSQL. */
const epochMs = customType<{ data: Date; driverData: string | number }>({
  dataType: () => "bigint",
  toDriver: (d) => d.getTime(),
  fromDriver: (v) => new Date(Number(v)),
});

type AnyPgTable = PgTableWithColumns<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sqliteTables = Object.fromEntries(Object.entries(sqlite).filter(([, v]) => is(v, SQLiteTable))) as Record<string, SQLiteTable>;
const byName = new Map<string, AnyPgTable>();

/** The PostgreSQL column type for one SQLite column; a type this table does not know is an error, not a guess. */
function columnType(c: SQLiteColumn): PgColumnBuilderBase & Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const enumValues = c.enumValues as [string, ...string[]] | undefined;
  switch (c.columnType) {
    case "SQLiteText":
      return text(c.name, enumValues?.length ? { enum: enumValues } : {});
    case "SQLiteTextJson":
      return json(c.name);
    case "SQLiteInteger":
      return bigint(c.name, { mode: "number" }); // SQLite integers are 64-bit (export byte counts pass 2^31)
    case "SQLiteBoolean":
      return boolean(c.name);
    case "SQLiteTimestamp":
      return epochMs(c.name);
    case "SQLiteReal":
      return doublePrecision(c.name);
    default:
      throw new Error(`db/schema-pg: column ${c.name} has SQLite type ${c.columnType}, which has no PostgreSQL mapping here`);
  }
}

function pgColumn(c: SQLiteColumn, fk: { table: string; column: string; onDelete?: string } | undefined) {
  let b = columnType(c);
  const autoIncrement = (c as unknown as { autoIncrement?: boolean }).autoIncrement;
  if (c.primary) b = autoIncrement ? b.primaryKey().generatedByDefaultAsIdentity() : b.primaryKey();
  if (c.notNull && !c.primary) b = b.notNull();
  if (c.isUnique) b = b.unique(c.uniqueName);
  if (c.defaultFn) b = b.$defaultFn(c.defaultFn);
  else if (c.default !== undefined) b = b.default(c.default);
  if (fk) {
    const onDelete = fk.onDelete && fk.onDelete !== "no action" ? { onDelete: fk.onDelete as "cascade" } : {};
    b = b.references(() => byName.get(fk.table)![fk.column] as never, onDelete);
  }
  return b;
}

/**
 * A partial index's WHERE in PostgreSQL terms: column chunks point at the new table's columns, and a boolean compared
 * with SQLite's 1/0 is compared with true/false (PostgreSQL has no boolean = integer operator).
 */
function whereFor(where: SQL, columns: Record<string, unknown>): SQL {
  const chunks: unknown[] = [];
  let lastBoolean = false;
  for (const chunk of where.queryChunks) {
    if (is(chunk, SQLiteColumn)) {
      chunks.push(columns[propertyName(chunk)]);
      lastBoolean = chunk.columnType === "SQLiteBoolean";
    } else if (lastBoolean && is(chunk, StringChunk) && /^\s*=\s*[01]\s*$/.test(chunk.value.join(""))) {
      chunks.push(new StringChunk(chunk.value.join("").replace(/[01]/, (d) => (d === "1" ? "true" : "false"))));
      lastBoolean = false;
    } else {
      chunks.push(chunk);
      lastBoolean = false;
    }
  }
  return new SQL(chunks as SQL["queryChunks"]);
}

const propertyKeys = new Map<SQLiteColumn, string>();
function propertyName(c: SQLiteColumn): string {
  const key = propertyKeys.get(c);
  if (!key) throw new Error(`db/schema-pg: column ${c.name} is not a property of its table`);
  return key;
}

function columnEntries(table: SQLiteTable): [string, SQLiteColumn][] {
  return Object.entries(table as unknown as Record<string, unknown>).filter(([, v]) => is(v, SQLiteColumn)) as [string, SQLiteColumn][];
}

function derive(table: SQLiteTable): AnyPgTable {
  const config = getTableConfig(table);
  const columnsByKey = columnEntries(table);
  const fks = new Map<string, { table: string; column: string; onDelete?: string }>();
  for (const fk of config.foreignKeys) {
    const ref = fk.reference();
    if (ref.columns.length !== 1) throw new Error(`db/schema-pg: ${config.name} has a composite foreign key, which this mapping does not handle`);
    fks.set(ref.columns[0]!.name, { table: getTableConfig(ref.foreignTable).name, column: propertyName(ref.foreignColumns[0] as SQLiteColumn), onDelete: fk.onDelete });
  }
  const columns: Record<string, PgColumnBuilderBase> = Object.fromEntries(columnsByKey.map(([key, c]) => [key, pgColumn(c, fks.get(c.name))]));
  if ((sqlite.INSERT_ORDERED_TABLES as readonly string[]).includes(config.name)) columns.seq = bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity();
  const pg = pgTable(config.name, columns, (t) =>
    config.indexes.map((i) => {
      const cols = i.config.columns.map((c) => t[propertyName(c as SQLiteColumn)]!);
      // A SQLite index ends with the rowid implicitly, so ordered scans by (columns…, rowid) use it; `seq` stands in.
      if (t.seq && !i.config.unique) cols.push(t.seq);
      const built = (i.config.unique ? uniqueIndex : index)(i.config.name).on(...(cols as [never, ...never[]]));
      return i.config.where ? built.where(whereFor(i.config.where, t)) : built;
    }),
  );
  byName.set(config.name, pg as AnyPgTable);
  return pg as AnyPgTable;
}

// Property names first: a foreign key may point at a table derived later.
for (const t of Object.values(sqliteTables)) for (const [key, c] of columnEntries(t)) propertyKeys.set(c, key);

/** Every table of the schema, PostgreSQL form, under the export name it has in db/schema-sqlite.ts. */
export const pgTables: Record<string, AnyPgTable> = Object.fromEntries(Object.entries(sqliteTables).map(([name, t]) => [name, derive(t)]));
