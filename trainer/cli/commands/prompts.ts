// `rlhf prompts import`: prompt files (JSONL or CSV) into a project, each new prompt opening its demonstration task.
import { getDb } from "../../../db/index";
import { promptFormatFromName } from "../../../server/services/prompt-parse";
import { importPrompts } from "../../../server/services/prompts";
import { UsageError } from "../args";
import { readTextFile } from "../files";
import { importTarget, reportLineErrors } from "../shared";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "prompts import",
    usage: "rlhf prompts import FILE.jsonl|FILE.csv [--project NAME]",
    async run(args, io) {
      const file = args.positional(0, "FILE.jsonl or FILE.csv");
      const projectName = args.string("project");
      args.assertAllUsed();
      const format = promptFormatFromName(file);
      if (!format) throw new UsageError(`cannot tell the format of ${file}: name it .jsonl or .csv`);
      const content = readTextFile(file);
      const db = getDb();
      const project = importTarget(db, projectName);
      const r = importPrompts(db, { projectId: project.id, format, content }, null);
      reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
      return {
        json: { project: project.name, imported: r.imported, duplicates: r.duplicates, errors: r.errors },
        text: `imported ${r.imported} prompts into '${project.name}' (${r.duplicates} already there, ${r.errors.length} bad lines)`,
      };
    },
  },
];
