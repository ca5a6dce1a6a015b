// Prompt texts by split, for PPO rollouts and the proof's held-out evaluation. No tfjs, so preflight checks stay light.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { prompts } from "../../db/schema";

/** Prompt texts of one split (optionally one project), in a stable order. */
export function promptTexts(db: Db, split: "train" | "test", projectId?: string): string[] {
  return db
    .select({ text: prompts.text })
    .from(prompts)
    .where(and(eq(prompts.split, split), ...(projectId ? [eq(prompts.projectId, projectId)] : [])))
    .orderBy(asc(prompts.createdAt), asc(prompts.id))
    .all()
    .map((p) => p.text);
}
