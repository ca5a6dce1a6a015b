// `rlhf prompts import`: prompt files (JSONL or CSV) into a project, each new prompt opening its demonstration task.
import { getDb } from "../../../db/index";
import { promptFormatFromName } from "../../../server/services/prompt-parse";
import { importPrompts } from "../../../server/services/prompts";
import { ProgressBar } from "../../runs/progress";
import { UsageError } from "../args";
import { readTextFile } from "../files";
import { importTarget, reportLineErrors, yieldCpuToWebApp } from "../shared";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "prompts import",
    usage: "rlhf prompts import FILE.jsonl|FILE.csv [--project NAME]",
    help: [
      'JSONL: {"prompt", "id"?, "tags"?, "split"?, "completions"?, "messages"?} a line. "completions" (2 to 16: strings or',
      '{"text","model"}) open the prompt\'s ranking task over exactly those; "messages" ([{"role","content"}, ...] ending',
      "with a user turn) make it a chat transcript. CSV: a header naming prompt, id, tags, split, completion_1..completion_K",
      "and model_1..model_K. Bad lines are listed by number; in a file that brings completions any bad line refuses it whole.",
    ].join("\n"),
    async run(args, io) {
      const file = args.positional(0, "FILE.jsonl or FILE.csv");
      const projectName = args.string("project");
      args.assertAllUsed();
      const format = promptFormatFromName(file);
      if (!format) throw new UsageError(`cannot tell the format of ${file}: name it .jsonl or .csv`);
      const content = readTextFile(file);
      const db = getDb();
      const project = await importTarget(db, projectName);
      yieldCpuToWebApp();
      // The rows go in short batches (other processes keep using the database); a bar follows both phases.
      let bar: ProgressBar | null = null;
      let phase = "";
      const r = await importPrompts(db, { projectId: project.id, format, content }, null, (p) => {
        if (p.phase !== phase) {
          bar?.done();
          phase = p.phase;
          bar = new ProgressBar({ total: Math.max(1, p.total), label: p.phase === "writing" ? "prompts" : "tasks", unit: "row", quiet: io.json || p.total < 2000 });
        }
        bar!.update(p.done);
      });
      (bar as ProgressBar | null)?.done();
      reportLineErrors(io, file, r.errors, r.imported + r.duplicates);
      return {
        json: { project: project.name, imported: r.imported, duplicates: r.duplicates, errors: r.errors },
        text: `imported ${r.imported} prompts into '${project.name}' (${r.duplicates} already there, ${r.errors.length} bad lines)`,
      };
    },
  },
];
