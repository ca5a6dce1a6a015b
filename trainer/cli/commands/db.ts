// `rlhf db migrate | seed | backup FILE`: the database file itself.
import fs from "node:fs";
import path from "node:path";
import { getDb } from "../../../db/index";
import { databasePath } from "../../../db/paths";
import { dialectOf } from "../../../db/statements";
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

/** True for the live database file and its WAL and shared-memory files, however they are reached. */
function isDatabaseFile(target: string): boolean {
  const db = realTarget(databasePath());
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`].includes(realTarget(target));
}

export const commands: Command[] = [
  {
    name: "db migrate",
    usage: "rlhf db migrate",
    async run(args) {
      args.assertAllUsed();
      getDb();
      return { json: { database: databasePath(), migrated: true }, text: `database ${databasePath()} is migrated` };
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
      if (dialectOf(getDb()) !== "sqlite") throw new CliError("rlhf db backup copies a SQLite database file; for PostgreSQL use pg_dump (pg_dump -Fc \"$DATABASE_URL\" > FILE)");
      if (isDatabaseFile(target)) throw new UsageError(`${target} is the live database or one of its -wal/-shm files; write the backup somewhere else`);
      if (fs.existsSync(target) && !force) throw new CliError(`${target} already exists; pass --force to overwrite it`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // better-sqlite3's online backup copies a consistent snapshot while other processes keep writing; it goes to a
      // temporary file first, so an interrupted backup never leaves a half-written FILE (or destroys an old one).
      const tmp = `${target}.tmp-${process.pid}`;
      try {
        await getDb().$client.backup(tmp);
        fs.renameSync(tmp, target);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      const bytes = fs.statSync(target).size;
      return { json: { backup: target, bytes }, text: `backed up ${databasePath()} to ${target} (${bytes} bytes)` };
    },
  },
];
