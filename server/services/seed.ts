// Seeds the demo project: guidelines, ~30 prompts with 4 hand-written completions each, and a ranking task per
// prompt, so a fresh install has work on both annotation pages. Safe to run again: nothing is duplicated.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions } from "../../db/schema";
import { DEMO_GUIDELINES, DEMO_PROJECT_NAME, DEMO_PROMPTS } from "../../db/seed/demo-data";
import { createProject, findProjectByName } from "./projects";
import { importPromptRows } from "./prompts";
import { openRankTask } from "./task-queue";
import { mapInOrder } from "./async-iter";

export { DEMO_PROJECT_NAME };

export interface SeedResult {
  projectId: string;
  createdProject: boolean;
  promptsImported: number;
  completionsAdded: number;
  rankTasksOpened: number;
}

export async function seedDemoProject(db: Db, actorId: string | null = null): Promise<SeedResult> {
  return await db.transaction(async () => {
    const existing = await findProjectByName(db, DEMO_PROJECT_NAME);
    const project =
      existing ??
      await createProject(
        db,
        {
          name: DEMO_PROJECT_NAME,
          guidelines: DEMO_GUIDELINES,
          k: 4,
          overlap: 1,
          allowTies: true,
          flags: ["harmful", "untruthful", "off-topic"],
          likertScale: 7,
        },
        actorId,
      );
    const rows = DEMO_PROMPTS.map((p, i) => ({ line: i + 1, prompt: p.prompt, externalId: p.id, tags: p.tags, split: p.split }));
    const { imported, promptIds } = await importPromptRows(db, project.id, rows, actorId);

    let completionsAdded = 0;
    let rankTasksOpened = 0;
    await mapInOrder(DEMO_PROMPTS, async (p, i) => {
      const promptId = promptIds[i]!;
      const ids = await mapInOrder(p.completions, async (text) => {
        const found = (await db
          .select({ id: completions.id })
          .from(completions)
          .where(and(eq(completions.promptId, promptId), eq(completions.text, text))))[0];
        if (found) return found.id;
        completionsAdded++;
        return (await db.insert(completions).values({ promptId, text, origin: "import" }).returning({ id: completions.id }))[0].id;
      });
      if ((await openRankTask(db, { projectId: project.id, promptId, completionIds: ids })).created) rankTasksOpened++;
    });
    return { projectId: project.id, createdProject: !existing, promptsImported: imported, completionsAdded, rankTasksOpened };
  });
}
