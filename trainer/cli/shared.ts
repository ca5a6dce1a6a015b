// Small pieces several `rlhf` command modules share: the database with the built-in model registered, project
// lookup by name, timestamps and number formatting for human output.
import os from "node:os";
import { getDb, type Db } from "../../db/index";
import { ensureBuiltinModel } from "../../server/services/builtin-model";
import { findProjectByName, listProjects } from "../../server/services/projects";
import { DEMO_PROJECT_NAME } from "../../server/services/seed";
import type { LineError } from "../../server/services/prompt-parse";
import { CliError } from "./args";
import type { CommandIO } from "./types";

/** The database, with the shipped base model registered (a no-op after the first time): `--base base` just works. */
export async function registryDb(): Promise<Db> {
  const db = getDb();
  await ensureBuiltinModel(db);
  return db;
}

/** A project by name, or a one-line error naming the projects that do exist. */
export async function projectByName(db: Db, name: string): Promise<{ id: string; name: string }> {
  const project = await findProjectByName(db, name);
  if (project) return { id: project.id, name: project.name };
  const names = (await listProjects(db)).map((p) => `'${p.name}'`);
  const known = names.length ? `projects: ${names.join(", ")}` : "there are no projects yet: 'rlhf projects create NAME' makes one";
  throw new CliError(`no project named '${name}' (${known})`);
}

/** --project NAME for imports, defaulting to the demo project the first start seeds. */
export async function importTarget(db: Db, name: string | undefined): Promise<{ id: string; name: string }> {
  return await projectByName(db, name ?? DEMO_PROJECT_NAME);
}

/**
 * Lowers this process's CPU priority (nice 10) for long writes the web app must not feel, such as a file import on
 * the machine that serves annotators. It changes nothing on an idle machine; where the OS refuses, it is skipped.
 */
export function yieldCpuToWebApp(): void {
  try {
    os.setPriority(Math.max(os.getPriority(), 10));
  } catch {
    // Not permitted here (some containers): the import still runs, at normal priority.
  }
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const fmt = (v: unknown) => (typeof v === "number" ? String(+v.toFixed(4)) : v === null || v === undefined ? "n/a" : String(v));

/** Rows as aligned columns, the first row a header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)) + 2);
  return rows.map((cols) => cols.map((c, j) => c.padEnd(widths[j]!)).join("").trimEnd()).join("\n");
}

/**
 * An import keeps valid lines and lists bad ones on stderr. A file with no valid line at all is an error (exit 1),
 * so a wrong file or format never passes silently.
 */
export function reportLineErrors(io: CommandIO, file: string, errors: LineError[], importedOrKnown: number): void {
  for (const e of errors.slice(0, 50)) io.log(`${file}:${e.line}: ${e.message}`);
  if (errors.length > 50) io.log(`… and ${errors.length - 50} more bad lines`);
  if (errors.length && importedOrKnown === 0) {
    const first = errors[0]!;
    // A file that brings completions is refused whole for any bad line, so "no valid lines" would mislead.
    throw new CliError(`nothing imported from ${file}: no valid lines, or a bad line refused the file (${errors.length} bad; line ${first.line}: ${first.message})`);
  }
}
