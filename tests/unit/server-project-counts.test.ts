// Dashboard counts on the seeded demo project: prompts and open tasks per project, open tasks an annotator can
// still get, and submitted responses per project.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { listProjects } from "../../server/services/projects";
import { seedDemoProject } from "../../server/services/seed";
import { openTaskCountsFor, responseCountsByProject } from "../../server/services/stats";
import { nextTask } from "../../server/services/assignment";
import { submitRanking } from "../../server/services/responses";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeAll(() => {
  t = createTempDb();
  seedDemoProject(t.db);
});
afterAll(() => t.close());

describe("project counts", () => {
  it("listProjects counts the project's own prompts and open tasks", () => {
    const [demo] = listProjects(t.db);
    expect(demo!.promptCount).toBe(30);
    expect(demo!.openTasks).toBeGreaterThanOrEqual(30);
  });

  it("open tasks per user drop once they answer one; responses per project rise", () => {
    const user = t.db.insert(users).values({ email: "ann@x", passwordHash: "x", role: "annotator" }).returning().get();
    const projectId = listProjects(t.db)[0]!.id;
    const before = openTaskCountsFor(t.db, user.id).get(projectId)!;
    expect(before.rank).toBe(30);

    const task = nextTask(t.db, user.id, { projectId, kind: "rank" })!;
    submitRanking(t.db, user.id, { assignmentId: task.assignmentId, ranking: task.completions.map((c) => [c.id]), timeMs: 1000 });

    expect(openTaskCountsFor(t.db, user.id).get(projectId)!.rank).toBe(29);
    expect(responseCountsByProject(t.db).get(projectId)).toEqual({ demonstrate: 0, rank: 1 });
  });
});
