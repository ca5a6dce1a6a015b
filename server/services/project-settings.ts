// A project's settings, their defaults and their limits: no database import, so forms in the browser share it, and
// the tRPC router and `rlhf projects create|update` check input with the same schema.
import { z } from "zod";
import { badRequest } from "./errors";
import { longText, printableName } from "./text-limits";

/** How many completions a ranking task may show. */
export const MIN_RANK_COMPLETIONS = 2;
export const MAX_RANK_COMPLETIONS = 16;

/** How ranking tasks are picked: `random` (creation order), or where the reward models are least sure (selection.ts). */
export const SELECTION_STRATEGIES = ["random", "uncertain", "disagree"] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];


/** Gold items above half the queue would leave annotators little real work. */
export const MAX_GOLD_RATE = 0.5;

export interface ProjectSettings {
  name: string;
  guidelines: string;
  k: number;
  overlap: number;
  allowTies: boolean;
  flags: string[];
  likertScale: number;
  goldRate: number;
  reviewBelow: number;
  selection: SelectionStrategy;
  requireRationale: boolean;
}

export const DEFAULT_PROJECT_SETTINGS: Omit<ProjectSettings, "name"> = {
  guidelines: "",
  k: 4,
  overlap: 1,
  allowTies: false,
  flags: ["harmful", "untruthful", "off-topic"],
  likertScale: 7,
  // One task in ten is a gold check: enough to measure accuracy within a few hundred tasks, cheap for annotators.
  goldRate: 0.1,
  // Pairwise agreement never falls under 0.5 (an even split on every pair), so the default sends exactly the items
  // whose annotators split evenly on every pair; raise it to catch milder disagreement (3 annotators: 2/3 per pair).
  reviewBelow: 0.5,
  selection: "random",
  requireRationale: false,
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
  goldRate: z.number().min(0, `gold rate must be from 0 to ${MAX_GOLD_RATE}`).max(MAX_GOLD_RATE, `gold rate must be from 0 to ${MAX_GOLD_RATE}`),
  reviewBelow: z.number().min(0, "review below must be from 0 to 1").max(1, "review below must be from 0 to 1"),
  // `uncertain` and `disagree` act once a scoring run (`rlhf train score`) has ranked the open tasks.
  selection: z.enum(SELECTION_STRATEGIES, { error: `selection must be one of ${SELECTION_STRATEGIES.join(", ")}` }),
  requireRationale: z.boolean(),
};

export const newProjectInput = z.object({ name: projectSettingsShape.name }).extend(z.object(projectSettingsShape).omit({ name: true }).partial().shape);

export const projectUpdateInput = z.object(projectSettingsShape).partial();

function firstIssue(error: z.ZodError): never {
  const issue = error.issues[0]!;
  throw badRequest(`${issue.path.join(".") || "project"}: ${issue.message}`);
}

/** Checks changed settings outside tRPC (the CLI's `projects update`). */
export function parseProjectUpdate(input: unknown): z.output<typeof projectUpdateInput> {
  const r = projectUpdateInput.safeParse(input);
  return r.success ? r.data : firstIssue(r.error);
}

/** Checks new-project settings outside tRPC (the CLI); one readable line per problem. */
export function parseNewProject(input: unknown): z.output<typeof newProjectInput> {
  const r = newProjectInput.safeParse(input);
  return r.success ? r.data : firstIssue(r.error);
}
