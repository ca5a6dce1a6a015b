// Where data lives: DATABASE_URL (SQLite file) and RLHF_HOME (models, secrets). One place for both defaults.
import path from "node:path";

/** The SQLite file path from DATABASE_URL (`file:` prefix allowed); default ./data/rlhf.db. */
export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim() || "./data/rlhf.db";
  return path.resolve(/* turbopackIgnore: true */ url.replace(/^file:/, ""));
}

/** The data folder for models and the generated auth secret; default ./data. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  // turbopackIgnore: a runtime path, not a module to trace (otherwise Next traces the whole project).
  return path.resolve(/* turbopackIgnore: true */ env.RLHF_HOME?.trim() || "./data");
}
