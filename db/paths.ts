// Where data lives: DATABASE_URL (a SQLite file or a PostgreSQL server) and RLHF_HOME (models, secrets). One place for both defaults.
import path from "node:path";

/** A DATABASE_URL this build cannot open: a one-line message for the CLI and the server's start. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/** Where DATABASE_URL points: a SQLite file (a path, `file:` prefix allowed; the default ./data/rlhf.db) or a PostgreSQL server. */
export type DatabaseTarget = { dialect: "sqlite"; file: string } | { dialect: "postgresql"; url: string };

/**
 * The database DATABASE_URL names. `postgres://` and `postgresql://` select PostgreSQL; any other URL scheme
 * (`mysql://…`) is refused rather than taken for a file name, which would create a stray SQLite file with the URL,
 * password included, as its path. The message never repeats the URL.
 */
export function databaseTarget(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = env.DATABASE_URL?.trim() || "./data/rlhf.db";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return { dialect: "postgresql", url };
  if (scheme && scheme !== "file") {
    throw new DatabaseUrlError(`DATABASE_URL: the '${scheme}://' scheme is not supported; use a SQLite file path (e.g. ./data/rlhf.db) or a postgres:// URL`);
  }
  return { dialect: "sqlite", file: path.resolve(/* turbopackIgnore: true */ url.replace(/^file:(\/\/)?/, "")) };
}

/** The SQLite file DATABASE_URL names; a one-line error for the commands that only work on a file (e.g. a file copy). */
export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  const target = databaseTarget(env);
  if (target.dialect !== "sqlite") throw new DatabaseUrlError("DATABASE_URL names a PostgreSQL server, not a SQLite file");
  return target.file;
}

/**
 * The dialect of this process's tables (db/schema.ts), fixed when the schema module loads: DATABASE_URL's, or
 * RLHF_SCHEMA_DIALECT's where a tool loads the schema without a database (drizzle-kit for PostgreSQL).
 */
export function schemaDialect(env: NodeJS.ProcessEnv = process.env): DatabaseTarget["dialect"] {
  if (env.RLHF_SCHEMA_DIALECT === "postgresql" || env.RLHF_SCHEMA_DIALECT === "sqlite") return env.RLHF_SCHEMA_DIALECT;
  try {
    return databaseTarget(env).dialect;
  } catch {
    return "sqlite"; // a bad URL is reported where the database is opened, with its one-line message
  }
}

/** The data folder for models and the generated auth secret; default ./data. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  // turbopackIgnore: a runtime path, not a module to trace (otherwise Next traces the whole project).
  return path.resolve(/* turbopackIgnore: true */ env.RLHF_HOME?.trim() || "./data");
}
