// Where data lives: DATABASE_URL (SQLite file) and RLHF_HOME (models, secrets). One place for both defaults.
import path from "node:path";

/** A DATABASE_URL this build cannot open: a one-line message for the CLI and the server's start. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/**
 * The SQLite file path from DATABASE_URL (`file:` prefix allowed); default ./data/rlhf.db. Any other URL scheme
 * (`postgres://…`, `mysql://…`) is refused rather than taken for a file name, which would create a stray SQLite file
 * with the URL, password included, as its path. The message never repeats the URL.
 */
export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim() || "./data/rlhf.db";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme && scheme !== "file") {
    throw new DatabaseUrlError(`DATABASE_URL: the '${scheme}://' scheme is not supported by this build; use a SQLite file path (e.g. ./data/rlhf.db or file:/abs/path.db)`);
  }
  return path.resolve(/* turbopackIgnore: true */ url.replace(/^file:(\/\/)?/, ""));
}

/** The data folder for models and the generated auth secret; default ./data. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  // turbopackIgnore: a runtime path, not a module to trace (otherwise Next traces the whole project).
  return path.resolve(/* turbopackIgnore: true */ env.RLHF_HOME?.trim() || "./data");
}
