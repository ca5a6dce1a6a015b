// Gold items: prompts whose ranking is known. `rlhf gold import` (the rankings format) stores the known ranking and
// opens a gold ranking task over the same completions, which the queue serves at the project's gold rate; each
// annotator's rankings of it measure their gold accuracy (quality.ts). Gold never enters training data or exports
// unless asked.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { goldItems, tasks } from "../../db/schema";
import { writeAudit } from "./audit";
import { completionIdFor, parseRankingsFile } from "./data-import";
import { badRequest } from "./errors";
import { getProject } from "./projects";
import { insertPromptIfNew } from "./prompts";
import { openRankTask } from "./task-queue";
import { mapInOrder } from "./async-iter";

/** A gold task never fills up: every annotator may answer it once (the assignment's uniqueness sees to that). */
export const GOLD_REQUIRED_RESPONSES = 1_000_000;

export interface GoldImportResult {
  goldItems: number;
  /** Gold items whose known ranking changed (a re-import with a corrected ranking). */
  updated: number;
  tasksOpened: number;
}

/**
 * Imports a gold file in one transaction. Gold must be right, so any bad line (a ranking that does not place every
 * completion, or one whose prompt already has a ranking task over other completions) stops the import with that
 * line's message and nothing written.
 */
export async function importGold(db: Db, input: { projectId: string; content: string }, actorId: string | null = null): Promise<GoldImportResult> {
  const { records, errors } = parseRankingsFile(input.content);
  if (errors.length) throw badRequest(`line ${errors[0]!.line}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more bad lines)` : ""}`);
  if (!records.length) throw badRequest("the gold file has no lines");
  return await db.transaction(async (tx) => {
    await getProject(tx, input.projectId);
    const result: GoldImportResult = { goldItems: 0, updated: 0, tasksOpened: 0 };
    for (const r of records) {
      const prompt = await insertPromptIfNew(tx, input.projectId, { prompt: r.prompt, source: "gold" });
      const ids = await mapInOrder(r.texts, async (t) => await completionIdFor(tx, prompt.id, t, null));
      const ordering = r.groups.map((g) => g.map((i) => ids[i]!));
      const covered = new Set(ids);
      const other = (await tx
        .select({ completionIds: tasks.completionIds })
        .from(tasks)
        .where(and(eq(tasks.promptId, prompt.id), eq(tasks.kind, "rank"))))
        .find((t) => t.completionIds.length !== covered.size || t.completionIds.some((id) => !covered.has(id)));
      if (other)
        throw badRequest(`line ${r.line}: the gold ranking does not cover the completions of this prompt's ranking task (${other.completionIds.length} shown, ${covered.size} ranked)`);
      const task = await openRankTask(tx, { projectId: input.projectId, promptId: prompt.id, completionIds: ids });
      await tx.update(tasks).set({ gold: true, requiredResponses: GOLD_REQUIRED_RESPONSES }).where(eq(tasks.id, task.taskId));
      if (task.created) result.tasksOpened++;
      const known = (await tx.select({ id: goldItems.id, ordering: goldItems.ordering }).from(goldItems).where(eq(goldItems.promptId, prompt.id)))[0];
      if (!known) await tx.insert(goldItems).values({ projectId: input.projectId, promptId: prompt.id, ordering, createdBy: actorId });
      else if (JSON.stringify(known.ordering) !== JSON.stringify(ordering)) {
        await tx.update(goldItems).set({ ordering }).where(eq(goldItems.id, known.id));
        result.updated++;
      }
      result.goldItems++;
    }
    await writeAudit(tx, { userId: actorId, action: "gold.import", entity: "project", entityId: input.projectId, detail: { ...result } });
    return result;
  });
}

/** The gold prompts of a project (their ids), for leaving gold out of training data and exports. */
export async function goldPromptIds(db: Db, projectId?: string): Promise<Set<string>> {
  const q = db.select({ promptId: goldItems.promptId }).from(goldItems);
  return new Set((await (projectId ? q.where(eq(goldItems.projectId, projectId)) : q)).map((g) => g.promptId));
}
