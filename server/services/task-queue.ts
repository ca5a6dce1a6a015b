// Opening tasks: a `demonstrate` task for each new prompt, and a `rank` task for a prompt's completions
// (called by prompt import, the seed, the rankings importer and the trainer's `sample --tasks`).
import { and, eq, inArray } from "drizzle-orm";
import { lockFor } from "../../db/statements";
import { completions, prompts, tasks } from "../../db/schema";
import type { DbOrTx } from "./audit";
import { badRequest, notFound } from "./errors";
import { MAX_RANK_COMPLETIONS, MIN_RANK_COMPLETIONS } from "./project-settings";
import { getProject } from "./projects";

export { MAX_RANK_COMPLETIONS, MIN_RANK_COMPLETIONS };

/** Opens the prompt's demonstration task, asking for the project's overlap N responses. */
export async function openDemonstrateTask(db: DbOrTx, input: { projectId: string; promptId: string; requiredResponses: number }): Promise<string> {
  return (await db
    .insert(tasks)
    .values({ projectId: input.projectId, promptId: input.promptId, kind: "demonstrate", requiredResponses: input.requiredResponses })
    .returning({ id: tasks.id }))[0].id;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

/**
 * Opens a ranking task over 2–16 completions of one prompt. Opening the same set twice returns the task
 * already open, so re-running a sampler or an import never doubles the queue.
 */
export async function openRankTask(
  db: DbOrTx,
  input: { projectId: string; promptId: string; completionIds: string[] },
): Promise<{ taskId: string; created: boolean }> {
  const ids = [...new Set(input.completionIds)];
  if (ids.length !== input.completionIds.length) throw badRequest("A ranking task lists each completion once.");
  if (ids.length < MIN_RANK_COMPLETIONS || ids.length > MAX_RANK_COMPLETIONS)
    throw badRequest(`A ranking task needs ${MIN_RANK_COMPLETIONS} to ${MAX_RANK_COMPLETIONS} completions (got ${ids.length}).`);
  const project = await getProject(db, input.projectId);
  const prompt = (await db.select({ projectId: prompts.projectId }).from(prompts).where(eq(prompts.id, input.promptId)))[0];
  if (!prompt) throw notFound("No such prompt.");
  if (prompt.projectId !== project.id) throw badRequest("The prompt belongs to another project.");
  const found = await db
    .select({ id: completions.id })
    .from(completions)
    .where(and(eq(completions.promptId, input.promptId), inArray(completions.id, ids)));
  if (found.length !== ids.length) throw badRequest("Every completion of a ranking task must belong to its prompt.");

  // Read, then insert: two processes opening the same set must not both find it missing (db/statements.ts).
  await lockFor(db, "tasks");
  const existing = (await db
    .select({ id: tasks.id, completionIds: tasks.completionIds })
    .from(tasks)
    .where(and(eq(tasks.promptId, input.promptId), eq(tasks.kind, "rank"))))
    .find((t) => sameSet(t.completionIds, ids));
  if (existing) return { taskId: existing.id, created: false };

  const taskId = (await db
    .insert(tasks)
    .values({ projectId: project.id, promptId: input.promptId, kind: "rank", completionIds: ids, requiredResponses: project.overlap })
    .returning({ id: tasks.id }))[0].id;
  return { taskId, created: true };
}
