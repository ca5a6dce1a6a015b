// `rlhf import demonstrations | rankings`: existing SFT and preference data into a project. Every line is checked
// first (bad ones reported by number), then the valid ones go in short batches, so the web app keeps working while a
// large file arrives, and an import that dies half-way is taken back at the next start. A rankings line's `annotator`
// (an email) makes it that user's ranking; `--create-annotators` makes disabled accounts for emails nobody has.
import { getDb } from "../../../db/index";
import { importDataFileInBatches } from "../../../server/services/data-import";
import { ProgressBar } from "../../runs/progress";
import { readTextFile } from "../files";
import { importTarget, reportLineErrors, yieldCpuToWebApp } from "../shared";
import type { Command } from "../types";

function dataImport(what: "demonstrations" | "rankings", shape: string): Command {
  return {
    name: `import ${what}`,
    usage: `rlhf import ${what} FILE.jsonl [--project NAME]${what === "rankings" ? " [--create-annotators]" : ""}`,
    help: `each line: ${shape}`,
    async run(args, io) {
      const file = args.positional(0, "FILE.jsonl");
      const projectName = args.string("project");
      const createAnnotators = what === "rankings" && args.bool("create-annotators");
      args.assertAllUsed();
      const content = readTextFile(file);
      const db = getDb();
      const project = await importTarget(db, projectName);
      yieldCpuToWebApp();
      let bar: ProgressBar | null = null;
      const r = await importDataFileInBatches(db, what, { projectId: project.id, content }, null, (p) => {
        bar ??= new ProgressBar({ total: Math.max(1, p.total), label: what, unit: "line", quiet: io.json || p.total < 2000 });
        bar.update(p.done);
      }, { createAnnotators });
      (bar as ProgressBar | null)?.done();
      reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
      return {
        json: { project: project.name, imported: r.imported, duplicates: r.duplicates, promptsCreated: r.promptsCreated, errors: r.errors },
        text: `imported ${r.imported} ${what} into '${project.name}' (${r.duplicates} already there, ${r.promptsCreated} new prompts, ${r.errors.length} bad lines)`,
      };
    },
  };
}

export const commands: Command[] = [
  dataImport("demonstrations", '{"prompt","completion"}'),
  dataImport("rankings", '{"prompt","completions":[...],"ranking":[[0],[2,1],...],"annotator"?:EMAIL} or {"prompt","chosen","rejected"}'),
];
