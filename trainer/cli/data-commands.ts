// The `rlhf` data commands (db, users, prompt and dataset imports): parse flags, read files, call the services,
// print. The services do the work, in transactions; their ServiceErrors reach the dispatcher as one-line errors.
import fs from "node:fs";
import path from "node:path";
import { getDb, type Db } from "../../db/index";
import { databasePath } from "../../db/paths";
import { ROLES, type Role } from "../../db/schema";
import { DEMO_PROJECT_NAME, seedDemoProject } from "../../server/services/seed";
import { importDemonstrations, importRankings, type DataImportResult } from "../../server/services/data-import";
import { findProjectByName, listProjects } from "../../server/services/projects";
import type { LineError } from "../../server/services/prompt-parse";
import { promptFormatFromName } from "../../server/services/prompt-parse";
import { importPrompts } from "../../server/services/prompts";
import { createUser } from "../../server/services/users";
import { Args, CliError, UsageError } from "./args";
import type { CommandIO, Handler } from "./types";

function readInputFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** --project NAME, or the demo project; a clear error naming the projects that do exist otherwise. */
function resolveProject(db: Db, args: Args): { id: string; name: string } {
  const name = args.string("project") ?? DEMO_PROJECT_NAME;
  const project = findProjectByName(db, name);
  if (project) return { id: project.id, name: project.name };
  const names = listProjects(db).map((p) => `'${p.name}'`);
  const known = names.length ? `projects: ${names.join(", ")}` : "there are no projects yet (run 'rlhf db seed' or create one in the web app)";
  throw new CliError(`no project named '${name}'; pass --project NAME (${known})`);
}

/**
 * Valid lines are kept and bad ones listed on stderr. A file with no valid line at all is an error (exit 1),
 * so a wrong file or format never passes silently.
 */
function reportLineErrors(io: CommandIO, file: string, errors: LineError[], importedOrKnown: number): void {
  for (const e of errors.slice(0, 50)) io.log(`${file}:${e.line}: ${e.message}`);
  if (errors.length > 50) io.log(`… and ${errors.length - 50} more bad lines`);
  if (errors.length && importedOrKnown === 0) {
    const first = errors[0]!;
    throw new CliError(`no valid lines in ${file} (${errors.length} bad; line ${first.line}: ${first.message})`);
  }
}

const dbMigrate: Handler = async (args) => {
  args.assertAllUsed();
  getDb();
  return { json: { database: databasePath(), migrated: true }, text: `database ${databasePath()} is migrated` };
};

const dbSeed: Handler = async (args) => {
  args.assertAllUsed();
  const r = seedDemoProject(getDb());
  return {
    json: { project: DEMO_PROJECT_NAME, ...r },
    text: `${r.createdProject ? "created" : "updated"} '${DEMO_PROJECT_NAME}': ${r.promptsImported} prompts, ${r.completionsAdded} completions, ${r.rankTasksOpened} ranking tasks added`,
  };
};

const dbBackup: Handler = async (args) => {
  const target = path.resolve(args.positional(0, "FILE (where to write the backup)"));
  const force = args.bool("force");
  args.assertAllUsed();
  if (target === databasePath()) throw new UsageError("the backup file must differ from the database itself");
  if (fs.existsSync(target) && !force) throw new CliError(`${target} already exists; pass --force to overwrite it`);
  if (force) fs.rmSync(target, { force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // better-sqlite3's online backup copies a consistent snapshot while other processes keep writing.
  await getDb().$client.backup(target);
  const bytes = fs.statSync(target).size;
  return { json: { backup: target, bytes }, text: `backed up ${databasePath()} to ${target} (${bytes} bytes)` };
};

const usersAdd: Handler = async (args) => {
  const email = args.string("email", { required: true });
  const role = args.string("role", { required: true });
  const password = args.string("password");
  const name = args.string("name");
  args.assertAllUsed();
  if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")} (got '${role}')`);
  const { user, generatedPassword } = createUser(getDb(), { email, role: role as Role, password, name });
  const json = { user: { id: user.id, email: user.email, name: user.name, role: user.role }, ...(generatedPassword ? { password: generatedPassword } : {}) };
  const text = `created ${user.role} ${user.email} (id ${user.id})` + (generatedPassword ? `\npassword: ${generatedPassword}  (shown once)` : "");
  return { json, text };
};

const promptsImport: Handler = async (args, io) => {
  const file = args.positional(0, "FILE.jsonl or FILE.csv");
  args.string("project");
  args.assertAllUsed();
  const format = promptFormatFromName(file);
  if (!format) throw new UsageError(`cannot tell the format of ${file}: name it .jsonl or .csv`);
  const content = readInputFile(file);
  const db = getDb();
  const project = resolveProject(db, args);
  const r = importPrompts(db, { projectId: project.id, format, content }, null);
  reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
  return {
    json: { project: project.name, imported: r.imported, duplicates: r.duplicates, errors: r.errors },
    text: `imported ${r.imported} prompts into '${project.name}' (${r.duplicates} already there, ${r.errors.length} bad lines)`,
  };
};

function dataImport(what: "demonstrations" | "rankings", run: (db: Db, input: { projectId: string; content: string }) => DataImportResult): Handler {
  return async (args, io) => {
    const file = args.positional(0, "FILE.jsonl");
    args.string("project");
    args.assertAllUsed();
    const content = readInputFile(file);
    const db = getDb();
    const project = resolveProject(db, args);
    const r = run(db, { projectId: project.id, content });
    reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
    return {
      json: { project: project.name, imported: r.imported, duplicates: r.duplicates, promptsCreated: r.promptsCreated, errors: r.errors },
      text: `imported ${r.imported} ${what} into '${project.name}' (${r.duplicates} already there, ${r.promptsCreated} new prompts, ${r.errors.length} bad lines)`,
    };
  };
}

export const handlers: Record<string, Handler> = {
  "db migrate": dbMigrate,
  "db seed": dbSeed,
  "db backup": dbBackup,
  "users add": usersAdd,
  "prompts import": promptsImport,
  "import demonstrations": dataImport("demonstrations", importDemonstrations),
  "import rankings": dataImport("rankings", importRankings),
};
