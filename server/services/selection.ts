// Where to label next: a scoring run (run kind `score`) scores the completions of a project's open ranking tasks with
// reward models, and each task gets a serving priority from the project's selection strategy. `uncertain`: the
// smallest gap between the reward model's scores first (it cannot tell them apart); `disagree`: the tasks where two
// reward models, or the reward model and the annotators so far, order the most pairs differently first.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, prompts, rankings, tasks } from "../../db/schema";
import { rankingToPairs } from "./pairs";
import type { SelectionStrategy } from "./project-settings";

/** Tasks a scoring run scores: open, not gold, ranking tasks of one project, with their texts and rankings so far. */
export interface TaskToScore {
  taskId: string;
  prompt: string;
  completions: { id: string; text: string }[];
  /** Annotators' usable rankings of this task's prompt so far. */
  rankings: string[][][];
}

/** How far apart the two closest scores are; 1/(1 + gap) in −priority, so the closest pair is served first. */
export function uncertaintyPriority(scores: readonly number[]): number {
  const sorted = [...scores].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i]! - sorted[i - 1]!);
  return Number.isFinite(gap) ? -1 / (1 + gap) : 0;
}

/** Share of completion pairs (of those both order strictly) that two score vectors order differently. */
export function scoreDisagreement(a: readonly number[], b: readonly number[]): number {
  let differ = 0;
  let pairs = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const x = Math.sign(a[i]! - a[j]!);
      const y = Math.sign(b[i]! - b[j]!);
      if (x === 0 || y === 0) continue;
      pairs++;
      if (x !== y) differ++;
    }
  return pairs ? differ / pairs : 0;
}

/** Share of the annotators' pair votes that the reward model's scores contradict (0 when nobody ranked it yet). */
export function annotatorDisagreement(ids: readonly string[], scores: readonly number[], orderings: readonly string[][][]): number {
  const score = new Map(ids.map((id, i) => [id, scores[i]!]));
  let differ = 0;
  let votes = 0;
  for (const o of orderings)
    for (const { chosen, rejected } of rankingToPairs(o)) {
      const a = score.get(chosen);
      const b = score.get(rejected);
      if (a === undefined || b === undefined || a === b) continue;
      votes++;
      if (a < b) differ++;
    }
  return votes ? differ / votes : 0;
}

/** A task's priority under a strategy: −1..0, lower served first. `second` is the other reward model's scores, if any. */
export function taskPriority(strategy: SelectionStrategy, task: TaskToScore, scores: readonly number[], second: readonly number[] | null): number {
  switch (strategy) {
    case "random":
      return 0;
    case "uncertain":
      return uncertaintyPriority(scores);
    case "disagree":
      return -(second ? scoreDisagreement(scores, second) : annotatorDisagreement(task.completions.map((c) => c.id), scores, task.rankings));
    default: {
      const unhandled: never = strategy;
      throw new Error(`no priority rule for selection '${String(unhandled)}'`);
    }
  }
}

/** The open, non-gold ranking tasks of a project, with what a scoring run needs. */
export async function tasksToScore(db: Db, projectId: string): Promise<TaskToScore[]> {
  const open = await db
    .select({ id: tasks.id, promptId: tasks.promptId, completionIds: tasks.completionIds, prompt: prompts.text })
    .from(tasks)
    .innerJoin(prompts, eq(prompts.id, tasks.promptId))
    .where(and(eq(tasks.projectId, projectId), eq(tasks.kind, "rank"), eq(tasks.gold, false), sql`${tasks.responseCount} < ${tasks.requiredResponses}`));
  if (!open.length) return [];
  const ids = [...new Set(open.flatMap((t) => t.completionIds))];
  const text = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500)
    for (const c of await db.select({ id: completions.id, text: completions.text }).from(completions).where(inArray(completions.id, ids.slice(i, i + 500)))) text.set(c.id, c.text);
  const byPrompt = new Map<string, string[][][]>();
  const promptIds = [...new Set(open.map((t) => t.promptId))];
  for (let i = 0; i < promptIds.length; i += 500)
    for (const r of await db
      .select({ promptId: rankings.promptId, ordering: rankings.ordering })
      .from(rankings)
      .where(and(inArray(rankings.promptId, promptIds.slice(i, i + 500)), eq(rankings.notRankable, false))))
      byPrompt.set(r.promptId, [...(byPrompt.get(r.promptId) ?? []), r.ordering]);
  return open.map((t) => ({
    taskId: t.id,
    prompt: t.prompt,
    completions: t.completionIds.map((id) => ({ id, text: text.get(id) ?? "" })),
    rankings: byPrompt.get(t.promptId) ?? [],
  }));
}

/** Stores the priorities in one transaction: the queue follows them at once. */
export async function writePriorities(db: Db, priorities: ReadonlyMap<string, number>): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [taskId, priority] of priorities) await tx.update(tasks).set({ priority }).where(eq(tasks.id, taskId));
  });
}
