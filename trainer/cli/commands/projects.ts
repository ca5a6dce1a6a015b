// `rlhf projects create | list`: a scripted setup makes its project here, with the same checks as the web form.
import { getDb } from "../../../db/index";
import { DEFAULT_PROJECT_SETTINGS, parseNewProject } from "../../../server/services/project-settings";
import { createProject, listProjects } from "../../../server/services/projects";
import { readTextFile } from "../files";
import { table } from "../shared";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "projects create",
    usage: "rlhf projects create NAME [--k K] [--overlap N] [--allow-ties] [--guidelines FILE.md]",
    async run(args) {
      const name = args.positional(0, "NAME (the project's name)");
      const k = args.int("k", { default: DEFAULT_PROJECT_SETTINGS.k });
      const overlap = args.int("overlap", { default: DEFAULT_PROJECT_SETTINGS.overlap });
      const allowTies = args.bool("allow-ties");
      const guidelinesFile = args.string("guidelines");
      args.assertAllUsed();
      const guidelines = guidelinesFile ? readTextFile(guidelinesFile, "--guidelines") : DEFAULT_PROJECT_SETTINGS.guidelines;
      const settings = parseNewProject({ name, k, overlap, allowTies, guidelines });
      const p = createProject(getDb(), settings, null);
      return {
        json: { project: { id: p.id, name: p.name, k: p.k, overlap: p.overlap, allow_ties: p.allowTies, guidelines_bytes: Buffer.byteLength(p.guidelines) } },
        text: `created project '${p.name}' (id ${p.id}): K ${p.k}, overlap ${p.overlap}, ties ${p.allowTies ? "allowed" : "not allowed"}`,
      };
    },
  },
  {
    name: "projects list",
    usage: "rlhf projects list",
    async run(args) {
      args.assertAllUsed();
      const rows = listProjects(getDb()).map((p) => ({
        id: p.id,
        name: p.name,
        k: p.k,
        overlap: p.overlap,
        allow_ties: p.allowTies,
        prompts: p.promptCount,
        open_tasks: p.openTasks,
      }));
      const text = rows.length
        ? table([["NAME", "K", "OVERLAP", "TIES", "PROMPTS", "OPEN TASKS", "ID"], ...rows.map((p) => [p.name, String(p.k), String(p.overlap), p.allow_ties ? "yes" : "no", String(p.prompts), String(p.open_tasks), p.id])])
        : "no projects yet ('rlhf projects create NAME' makes one)";
      return { json: { projects: rows }, text };
    },
  },
];
