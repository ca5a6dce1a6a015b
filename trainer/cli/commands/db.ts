// `rlhf db migrate | seed | backup FILE`: the database itself, SQLite file or PostgreSQL server.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { databaseReady, getDb } from "../../../db/index";
import { databasePath, databaseTarget } from "../../../db/paths";
import { describePostgresUrl } from "../../../db/postgres";
import { DEMO_PROJECT_NAME, seedDemoProject } from "../../../server/services/seed";
import { CliError, UsageError } from "../args";
import type { Command } from "../types";

/**
 * Where a path really leads, following links even when they dangle (a -wal file comes and goes with connections), so
 * a link cannot disguise the database as a backup target.
 */
function realTarget(file: string): string {
  let p = path.resolve(file);
  for (let hops = 0; hops < 32; hops++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch {
      break;
    }
    if (!stat.isSymbolicLink()) break;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  try {
    return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
  } catch {
    return p;
  }
}

/** How the database is named in messages: its file, or its server without the password. */
function databaseName(): string {
  const target = databaseTarget();
  return target.dialect === "sqlite" ? target.file : describePostgresUrl(target.url);
}

/**
 * A PostgreSQL backup: `pg_dump` in its custom format (restore with pg_restore), into `tmp`. The password travels in
 * PGPASSWORD, never on the command line, and the URL given to pg_dump has none.
 */
function pgDump(url: string, tmp: string): void {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  const r = spawnSync("pg_dump", ["--format=custom", "--no-owner", `--file=${tmp}`, `--dbname=${u.toString()}`], {
    encoding: "utf8",
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new CliError("db backup on PostgreSQL needs pg_dump, which is not installed here (Debian: apt install postgresql-client)");
  if (r.status !== 0) throw new CliError(`pg_dump failed: ${(r.stderr || "").trim().split("\n")[0]}`);
}

/** True for the live database file and its WAL and shared-memory files, however they are reached. */
function isDatabaseFile(target: string): boolean {
  if (databaseTarget().dialect !== "sqlite") return false;
  const db = realTarget(databasePath());
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`].includes(realTarget(target));
}

export const commands: Command[] = [
  {
    name: "db migrate",
    usage: "rlhf db migrate",
    async run(args) {
      args.assertAllUsed();
      await databaseReady();
      return { json: { database: databaseName(), migrated: true }, text: `database ${databaseName()} is migrated` };
    },
  },
  {
    name: "db seed",
    usage: "rlhf db seed",
    async run(args) {
      args.assertAllUsed();
      const r = await seedDemoProject(getDb());
      return {
        json: { project: DEMO_PROJECT_NAME, ...r },
        text: `${r.createdProject ? "created" : "updated"} '${DEMO_PROJECT_NAME}': ${r.promptsImported} prompts, ${r.completionsAdded} completions, ${r.rankTasksOpened} ranking tasks added`,
      };
    },
  },
  {
    name: "db backup",
    usage: "rlhf db backup FILE [--force]",
    async run(args) {
      const target = path.resolve(args.positional(0, "FILE (where to write the backup)"));
      const force = args.bool("force");
      args.assertAllUsed();
      // The online backup is better-sqlite3's; a PostgreSQL server has its own tools for a consistent copy.
      if (isDatabaseFile(target)) throw new UsageError(`${target} is the live database or one of its -wal/-shm files; write the backup somewhere else`);
      if (fs.existsSync(target) && !force) throw new CliError(`${target} already exists; pass --force to overwrite it`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // better-sqlite3's online backup (or pg_dump) copies a consistent snapshot while other processes keep writing; it
      // goes to a temporary file first, so an interrupted backup never leaves a half-written FILE (or destroys an old one).
      const tmp = `${target}.tmp-${process.pid}`;
      const db = databaseTarget();
      try {
        if (db.dialect === "postgresql") pgDump(db.url, tmp);
        else await getDb().$client.backup(tmp);
        fs.renameSync(tmp, target);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      const bytes = fs.statSync(target).size;
      return { json: { backup: target, bytes }, text: `backed up ${databaseName()} to ${target} (${bytes} bytes)${db.dialect === "postgresql" ? " with pg_dump (restore with pg_restore)" : ""}` };
    },
  },
];
