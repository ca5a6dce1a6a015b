// `rlhf projects create | update | list`: a scripted setup makes and tunes its project here, with the same checks as
// the web form (project-settings.ts), label-quality settings included (gold rate, review threshold, selection).
import { getDb } from "../../../db/index";
import { DEFAULT_PROJECT_SETTINGS, parseNewProject, parseProjectUpdate, SELECTION_STRATEGIES } from "../../../server/services/project-settings";
import { createProject, listProjects, updateProject, type Project } from "../../../server/services/projects";
import type { Args } from "../args";
import { readTextFile } from "../files";
import { projectByName, table } from "../shared";
import type { Command } from "../types";

const SETTING_FLAGS = `[--k K] [--overlap N] [--gold-rate X] [--review-below Y] [--selection ${SELECTION_STRATEGIES.join("|")}] [--allow-ties] [--require-rationale] [--guidelines FILE.md]`;

/** The settings flags given on the command line (absent ones left out, so `update` changes only what was named). */
function settingFlags(args: Args): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  const k = args.number("k", { integer: true });
  if (k !== undefined) given.k = k;
  const overlap = args.number("overlap", { integer: true });
  if (overlap !== undefined) given.overlap = overlap;
  const goldRate = args.number("gold-rate");
  if (goldRate !== undefined) given.goldRate = goldRate;
  const reviewBelow = args.number("review-below");
  if (reviewBelow !== undefined) given.reviewBelow = reviewBelow;
  const selection = args.string("selection");
  if (selection !== undefined) given.selection = selection;
  if (args.has("allow-ties")) given.allowTies = args.bool("allow-ties");
  if (args.has("require-rationale")) given.requireRationale = args.bool("require-rationale");
  const guidelinesFile = args.string("guidelines");
  if (guidelinesFile) given.guidelines = readTextFile(guidelinesFile, "--guidelines");
  return given;
}

function projectJson(p: Omit<Project, "createdBy">) {
  return {
    id: p.id,
    name: p.name,
    k: p.k,
    overlap: p.overlap,
    allow_ties: p.allowTies,
    gold_rate: p.goldRate,
    review_below: p.reviewBelow,
    selection: p.selection,
    require_rationale: p.requireRationale,
    guidelines_bytes: Buffer.byteLength(p.guidelines),
  };
}

function describe(p: Project): string {
  return `K ${p.k}, overlap ${p.overlap}, ties ${p.allowTies ? "allowed" : "not allowed"}, gold rate ${p.goldRate}, review below ${p.reviewBelow}, selection ${p.selection}${p.requireRationale ? ", rationale required" : ""}`;
}

export const commands: Command[] = [
  {
    name: "projects create",
    usage: `rlhf projects create NAME ${SETTING_FLAGS}`,
    help: `defaults: K ${DEFAULT_PROJECT_SETTINGS.k}, overlap ${DEFAULT_PROJECT_SETTINGS.overlap}, gold rate ${DEFAULT_PROJECT_SETTINGS.goldRate}, review below ${DEFAULT_PROJECT_SETTINGS.reviewBelow}, selection ${DEFAULT_PROJECT_SETTINGS.selection}`,
    async run(args) {
      const name = args.positional(0, "NAME (the project's name)");
      const given = settingFlags(args);
      args.assertAllUsed();
      const p = await createProject(getDb(), parseNewProject({ name, ...given }), null);
      return { json: { project: projectJson(p) }, text: `created project '${p.name}' (id ${p.id}): ${describe(p)}` };
    },
  },
  {
    name: "projects update",
    usage: `rlhf projects update NAME ${SETTING_FLAGS} [--no-ties] [--no-rationale] [--rename NEW]`,
    async run(args) {
      const name = args.positional(0, "NAME (the project's name)");
      const given = settingFlags(args);
      if (args.bool("no-ties")) given.allowTies = false;
      if (args.bool("no-rationale")) given.requireRationale = false;
      const rename = args.string("rename");
      if (rename !== undefined) given.name = rename;
      args.assertAllUsed();
      const db = getDb();
      const project = await projectByName(db, name);
      const p = await updateProject(db, { id: project.id, ...parseProjectUpdate(given) }, null);
      return { json: { project: projectJson(p) }, text: `updated project '${p.name}': ${describe(p)}` };
    },
  },
  {
    name: "projects list",
    usage: "rlhf projects list",
    async run(args) {
      args.assertAllUsed();
      const rows = (await listProjects(getDb())).map((p) => ({
        ...projectJson(p),
        prompts: p.promptCount,
        open_tasks: p.openTasks,
      }));
      const text = rows.length
        ? table([
            ["NAME", "K", "OVERLAP", "TIES", "PROMPTS", "OPEN TASKS", "GOLD RATE", "SELECTION", "ID"],
            ...rows.map((p) => [p.name, String(p.k), String(p.overlap), p.allow_ties ? "yes" : "no", String(p.prompts), String(p.open_tasks), String(p.gold_rate), p.selection, p.id]),
          ])
        : "no projects yet ('rlhf projects create NAME' makes one)";
      return { json: { projects: rows }, text };
    },
  },
];
