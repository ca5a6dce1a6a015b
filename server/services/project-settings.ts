// A project's settings, their defaults and their limits: no database import, so forms in the browser share it, and
// the tRPC router and `rlhf projects create|update` check input with the same schema.
import { z } from "zod";
import { badRequest } from "./errors";
import { longText, printableName } from "./text-limits";

/** How many completions a ranking task may show. */
export const MIN_RANK_COMPLETIONS = 2;
export const MAX_RANK_COMPLETIONS = 16;

export interface ProjectSettings {
  name: string;
  guidelines: string;
  k: number;
  overlap: number;
  allowTies: boolean;
  flags: string[];
  likertScale: number;
}

export const DEFAULT_PROJECT_SETTINGS: Omit<ProjectSettings, "name"> = {
  guidelines: "",
  k: 4,
  overlap: 1,
  allowTies: false,
  flags: ["harmful", "untruthful", "off-topic"],
  likertScale: 7,
};

/** Every setting with its limits; `name` is required on create, everything is optional on update. */
export const projectSettingsShape = {
  name: printableName("Project name"),
  guidelines: longText("The guidelines"),
  k: z.number().int().min(MIN_RANK_COMPLETIONS).max(MAX_RANK_COMPLETIONS),
  overlap: z.number().int().min(1).max(100),
  allowTies: z.boolean(),
  flags: z.array(z.string().trim().min(1).max(40)).max(16).refine((f) => new Set(f).size === f.length, "flags must be unique"),
  likertScale: z.union([z.literal(0), z.number().int().min(2).max(10)]),
};

export const newProjectInput = z.object({ name: projectSettingsShape.name }).extend(z.object(projectSettingsShape).omit({ name: true }).partial().shape);

/** Checks new-project settings outside tRPC (the CLI); one readable line per problem. */
export function parseNewProject(input: unknown): z.output<typeof newProjectInput> {
  const r = newProjectInput.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw badRequest(`${issue.path.join(".") || "project"}: ${issue.message}`);
}
