// `rlhf db migrate | seed | backup FILE`: the database file itself.
import fs from "node:fs";
import path from "node:path";
import { getDb } from "../../../db/index";
import { databasePath } from "../../../db/paths";
import { DEMO_PROJECT_NAME, seedDemoProject } from "../../../server/services/seed";
import { CliError, UsageError } from "../args";
import type { Command } from "../types";

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
      const r = seedDemoProject(getDb());
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
      if (target === databasePath()) throw new UsageError("the backup file must differ from the database itself");
      if (fs.existsSync(target) && !force) throw new CliError(`${target} already exists; pass --force to overwrite it`);
      if (force) fs.rmSync(target, { force: true });
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // better-sqlite3's online backup copies a consistent snapshot while other processes keep writing.
      await getDb().$client.backup(target);
      const bytes = fs.statSync(target).size;
      return { json: { backup: target, bytes }, text: `backed up ${databasePath()} to ${target} (${bytes} bytes)` };
    },
  },
];
