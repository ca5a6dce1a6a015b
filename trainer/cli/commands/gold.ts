// `rlhf gold import FILE.jsonl --project P`: prompts with a known ranking (the rankings format) become gold items,
// served among the project's ranking tasks at its gold rate and scored in `rlhf stats quality`.
import { getDb } from "../../../db/index";
import { importGold } from "../../../server/services/gold";
import { readTextFile } from "../files";
import { projectByName } from "../shared";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "gold import",
    usage: "rlhf gold import FILE.jsonl --project P",
    help: 'each line: {"prompt","completions":[...],"ranking":[[0],[2,1],...]}: the known ranking of every completion',
    async run(args) {
      const file = args.positional(0, "FILE.jsonl");
      const projectName = args.string("project", { required: true });
      args.assertAllUsed();
      const content = readTextFile(file);
      const db = getDb();
      const project = await projectByName(db, projectName);
      const r = await importGold(db, { projectId: project.id, content }, null);
      return {
        json: { project: project.name, gold_items: r.goldItems, updated: r.updated, tasks_opened: r.tasksOpened },
        text: `${r.goldItems} gold items in '${project.name}' (${r.tasksOpened} new gold tasks, ${r.updated} known rankings changed)`,
      };
    },
  },
];
