// `rlhf import demonstrations | rankings`: existing SFT and preference data into a project, line by line, with every
// bad line reported by its number.
import { getDb, type Db } from "../../../db/index";
import { importDemonstrations, importRankings, type DataImportResult } from "../../../server/services/data-import";
import { readTextFile } from "../files";
import { importTarget, reportLineErrors } from "../shared";
import type { Command } from "../types";

function dataImport(what: "demonstrations" | "rankings", shape: string, run: (db: Db, input: { projectId: string; content: string }) => DataImportResult): Command {
  return {
    name: `import ${what}`,
    usage: `rlhf import ${what} FILE.jsonl [--project NAME]`,
    help: `each line: ${shape}`,
    async run(args, io) {
      const file = args.positional(0, "FILE.jsonl");
      const projectName = args.string("project");
      args.assertAllUsed();
      const content = readTextFile(file);
      const db = getDb();
      const project = importTarget(db, projectName);
      const r = run(db, { projectId: project.id, content });
      reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
      return {
        json: { project: project.name, imported: r.imported, duplicates: r.duplicates, promptsCreated: r.promptsCreated, errors: r.errors },
        text: `imported ${r.imported} ${what} into '${project.name}' (${r.duplicates} already there, ${r.promptsCreated} new prompts, ${r.errors.length} bad lines)`,
      };
    },
  };
}

export const commands: Command[] = [
  dataImport("demonstrations", '{"prompt","completion"}', importDemonstrations),
  dataImport("rankings", '{"prompt","completions":[...],"ranking":[[0],[2,1],...]} or {"prompt","chosen","rejected"}', importRankings),
];
