// Dashboard counts on the seeded demo project: prompts and open tasks per project, open tasks an annotator can
// still get, and submitted responses per project.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { listProjects } from "../../server/services/projects";
import { seedDemoProject } from "../../server/services/seed";
import { openTaskCountsFor, projectProgress, responseCountsByProject } from "../../server/services/stats";
import { nextTask, skipTask } from "../../server/services/assignment";
import { listPrompts } from "../../server/services/prompts";
import { submitRanking } from "../../server/services/responses";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeAll(async () => {
  t = createTempDb();
  await seedDemoProject(t.db);
});
afterAll(() => t.close());

describe("project counts", () => {
  it("listProjects counts the project's own prompts and open tasks", async () => {
    const [demo] = await listProjects(t.db);
    expect(demo!.promptCount).toBe(30);
    expect(demo!.openTasks).toBeGreaterThanOrEqual(30);
  });

  it("open tasks per user drop once they answer one; responses per project rise", async () => {
    const user = (await t.db.insert(users).values({ email: "ann@x", passwordHash: "x", role: "annotator" }).returning())[0];
    const projectId = (await listProjects(t.db))[0]!.id;
    const before = (await openTaskCountsFor(t.db, user.id)).get(projectId)!;
    expect(before.rank).toBe(30);

    const task = (await nextTask(t.db, user.id, { projectId, kind: "rank" }))!;
    await submitRanking(t.db, user.id, { assignmentId: task.assignmentId, ranking: task.completions.map((c) => [c.id]), timeMs: 1000 });

    expect((await openTaskCountsFor(t.db, user.id)).get(projectId)!.rank).toBe(29);
    expect((await responseCountsByProject(t.db)).get(projectId)).toEqual({ demonstrate: 0, rank: 1 });
  });

  it("a skip counts as done for the one who skipped, not for anyone else; progress names each annotator's count", async () => {
    const projectId = (await listProjects(t.db))[0]!.id;
    const [a, b] = await Promise.all(["skipper@x", "other@x"].map(async (email) => (await t.db.insert(users).values({ email, passwordHash: "x", role: "annotator" }).returning())[0]));
    const open = (await openTaskCountsFor(t.db, a!.id)).get(projectId)!.rank;
    expect((await openTaskCountsFor(t.db, b!.id)).get(projectId)!.rank).toBe(open);
    const task = (await nextTask(t.db, a!.id, { projectId, kind: "rank" }))!;
    await skipTask(t.db, a!.id, { assignmentId: task.assignmentId, reason: "cannot read it" });
    expect((await openTaskCountsFor(t.db, a!.id)).get(projectId)!.rank).toBe(open - 1);
    expect((await openTaskCountsFor(t.db, b!.id)).get(projectId)!.rank).toBe(open);
    const progress = (await projectProgress(t.db)).find((p) => p.projectId === projectId)!;
    expect(progress.perAnnotator).toEqual([{ email: "ann@x", count: 1 }]);
    expect(progress.openTasks).toBe((await listProjects(t.db))[0]!.openTasks);
  });

  it("the prompt list pages server-side in import order, with each page's counts", async () => {
    const projectId = (await listProjects(t.db))[0]!.id;
    const all = await listPrompts(t.db, { projectId, page: 1, pageSize: 200 });
    expect(all.total).toBe(30);
    const pages = await Promise.all([1, 2, 3, 4].map(async (page) => await listPrompts(t.db, { projectId, page, pageSize: 8 })));
    expect(pages.map((p) => p.items.length)).toEqual([8, 8, 8, 6]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(all.items.map((i) => i.id));
    expect(pages.every((p) => p.total === 30)).toBe(true);
    expect(pages.flatMap((p) => p.items).reduce((n, i) => n + i.rankingCount, 0)).toBe(1);
    expect((await listPrompts(t.db, { projectId, page: 9, pageSize: 8 })).items).toEqual([]);
  });
});
