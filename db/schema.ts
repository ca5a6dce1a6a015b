// The tables as everything else imports them: the SQLite declarations (db/schema-sqlite.ts), or, in a process whose
// DATABASE_URL is PostgreSQL, their PostgreSQL form (db/schema-pg.ts). Both have the same TypeScript types, so the
// services are written once. The dialect is fixed when this module loads (db/paths.ts schemaDialect).
import * as sqlite from "./schema-sqlite";
import { pgTables } from "./schema-pg";
import { schemaDialect } from "./paths";

export * from "./schema-sqlite";

/** The dialect of this process's tables. */
export const TABLES_DIALECT = schemaDialect();
const postgres = TABLES_DIALECT === "postgresql";
const exportName = new Map<unknown, string>(Object.entries(sqlite).map(([name, value]) => [value, name]));
/** The table in this process's dialect. */
function table<T>(t: T): T {
  return (postgres ? pgTables[exportName.get(t)!] : t) as T;
}

// Every table, once; tests/unit/db-schema-pg.test.ts fails when one of db/schema-sqlite.ts is missing here.
// (drizzle-kit reads a module's own named exports only, so they cannot be generated from the list of tables.)
export const users = table(sqlite.users);
export const projects = table(sqlite.projects);
export const prompts = table(sqlite.prompts);
export const imports = table(sqlite.imports);
export const models = table(sqlite.models);
export const completions = table(sqlite.completions);
export const tasks = table(sqlite.tasks);
export const assignments = table(sqlite.assignments);
export const demonstrations = table(sqlite.demonstrations);
export const rankings = table(sqlite.rankings);
export const goldItems = table(sqlite.goldItems);
export const reviews = table(sqlite.reviews);
export const runs = table(sqlite.runs);
export const runMetrics = table(sqlite.runMetrics);
export const runLogs = table(sqlite.runLogs);
export const generations = table(sqlite.generations);
export const exportJobs = table(sqlite.exportJobs);
export const apiTokens = table(sqlite.apiTokens);
export const sessions = table(sqlite.sessions);
export const auditLog = table(sqlite.auditLog);
export const signInAttempts = table(sqlite.signInAttempts);
export const projectCounts = table(sqlite.projectCounts);
