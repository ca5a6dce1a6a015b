// Rankings are stored raw; the preference pairs the trainers use are derived with rankingToPairs.
import { afterEach, beforeEach, expect, it } from "vitest";
import { completions, rankings, users } from "../../db/schema";
import { nextTask } from "../../server/services/assignment";
import { pairCount, rankingToPairs } from "../../server/services/pairs";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { submitRanking } from "../../server/services/responses";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

it("a submitted ranking with a tie is stored as given and yields C(K,2) minus the tied pairs", async () => {
  const project = await createProject(t.db, { name: "pairs", allowTies: true }, null);
  const [promptId] = (await importPromptRows(t.db, project.id, [{ line: 1, prompt: "q", externalId: null, tags: [], split: null }], null)).promptIds;
  const ids = await Promise.all(["w", "x", "y", "z"].map(async (s) => (await t.db.insert(completions).values({ promptId: promptId!, text: s, origin: "model" }).returning())[0].id));
  await openRankTask(t.db, { projectId: project.id, promptId: promptId!, completionIds: ids });
  const user = (await t.db.insert(users).values({ email: "a@b.c", role: "annotator", passwordHash: "x" }).returning())[0];
  const view = (await nextTask(t.db, user.id, { kind: "rank" }))!;
  const [a, b, c, d] = view.completions.map((x) => x.id);
  await submitRanking(t.db, user.id, { assignmentId: view.assignmentId, ranking: [[a!], [b!, c!], [d!]], timeMs: 1 });

  const stored = (await t.db.select().from(rankings))[0]!;
  expect(stored.ordering).toEqual([[a], [b, c], [d]]);
  const pairs = rankingToPairs(stored.ordering);
  expect(pairs).toHaveLength(5); // C(4,2) = 6, minus the b–c tie
  expect(pairCount(stored.ordering)).toBe(5);
  expect(pairs).toContainEqual({ chosen: a, rejected: d });
  expect(pairs).not.toContainEqual({ chosen: b, rejected: c });
  expect(rankingToPairs([[a!], [b!], [c!], [d!]])).toHaveLength(6);
});
