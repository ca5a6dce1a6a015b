// Task assignment: leases, overlap N, answered and skipped tasks, per-annotator shuffles, expiry with a clock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completions, users } from "../../db/schema";
import { DEFAULT_LEASE_MS, nextTask, shuffledOrder, skipTask } from "../../server/services/assignment";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { submitDemonstration, submitRanking } from "../../server/services/responses";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

async function setup(opts: { prompts: number; overlap: number }) {
  const project = await createProject(t.db, { name: "assign", overlap: opts.overlap }, null);
  const rows = Array.from({ length: opts.prompts }, (_, i) => ({ line: i + 1, prompt: `prompt ${i}`, externalId: null, tags: [], split: null }));
  const { promptIds } = await importPromptRows(t.db, project.id, rows, null);
  for (const promptId of promptIds) {
    const ids = await Promise.all([0, 1, 2, 3].map(async (j) => (await t.db.insert(completions).values({ promptId, text: `c${j}`, origin: "model" }).returning())[0].id));
    await openRankTask(t.db, { projectId: project.id, promptId, completionIds: ids });
  }
  return project;
}
const user = async (n: number) => (await t.db.insert(users).values({ email: `u${n}@x.io`, role: "annotator", passwordHash: "x" }).returning())[0].id;

describe("nextTask", () => {
  it("hands out demonstrate tasks in import order, then nothing once the user has answered them all", async () => {
    await setup({ prompts: 2, overlap: 1 });
    const u = await user(1);
    const first = (await nextTask(t.db, u, { kind: "demonstrate" }))!;
    expect(first.prompt).toBe("prompt 0");
    await submitDemonstration(t.db, u, { assignmentId: first.assignmentId, text: "answer", timeMs: 5 });
    const second = (await nextTask(t.db, u, { kind: "demonstrate" }))!;
    expect(second.prompt).toBe("prompt 1");
    await skipTask(t.db, u, { assignmentId: second.assignmentId, reason: "unclear" });
    expect(await nextTask(t.db, u, { kind: "demonstrate" })).toBeNull();
  });

  it("with overlap 2 gives each task to two different users, never twice to the same one", async () => {
    await setup({ prompts: 1, overlap: 2 });
    const [a, b, c] = [await user(1), await user(2), await user(3)];
    const ta = (await nextTask(t.db, a, { kind: "rank" }))!;
    await submitRanking(t.db, a, { assignmentId: ta.assignmentId, ranking: ta.completions.map((x) => [x.id]), timeMs: 1 });
    expect(await nextTask(t.db, a, { kind: "rank" })).toBeNull();
    expect((await nextTask(t.db, b, { kind: "rank" }))!.taskId).toBe(ta.taskId);
    expect(await nextTask(t.db, c, { kind: "rank" })).toBeNull();
  });

  it("counts unexpired leases toward N and frees expired ones; the first holder may come back to it", async () => {
    await setup({ prompts: 1, overlap: 1 });
    const [a, b] = [await user(1), await user(2)];
    const t0 = new Date("2026-01-01T10:00:00Z");
    const held = (await nextTask(t.db, a, { kind: "rank" }, { now: t0 }))!;
    expect(held.leaseExpiresAt.getTime()).toBe(t0.getTime() + DEFAULT_LEASE_MS);
    expect(await nextTask(t.db, b, { kind: "rank" }, { now: new Date(t0.getTime() + DEFAULT_LEASE_MS - 1) })).toBeNull();
    const later = new Date(t0.getTime() + DEFAULT_LEASE_MS + 1);
    const taken = (await nextTask(t.db, b, { kind: "rank" }, { now: later }))!;
    expect(taken.taskId).toBe(held.taskId);
    // a's lease is gone and b holds the only slot now.
    expect(await nextTask(t.db, a, { kind: "rank" }, { now: later })).toBeNull();
  });

  it("takes work done on an expired lease while the task has room, but not once someone else holds the slot", async () => {
    await setup({ prompts: 2, overlap: 1 });
    const [a, b] = [await user(1), await user(2)];
    const t0 = new Date("2026-01-01T10:00:00Z");
    const late = new Date(t0.getTime() + DEFAULT_LEASE_MS + 1);
    const first = (await nextTask(t.db, a, { kind: "rank" }, { now: t0 }))!;
    // Nobody took it meanwhile: the late submit counts.
    expect((await submitRanking(t.db, a, { assignmentId: first.assignmentId, ranking: first.completions.map((x) => [x.id]), timeMs: 1 }, { now: late })).id).toBeTruthy();

    const second = (await nextTask(t.db, a, { kind: "rank" }, { now: late }))!;
    const later = new Date(late.getTime() + DEFAULT_LEASE_MS + 1);
    const taken = (await nextTask(t.db, b, { kind: "rank" }, { now: later }))!;
    expect(taken.taskId).toBe(second.taskId);
    await expect(async () => await submitRanking(t.db, a, { assignmentId: second.assignmentId, ranking: second.completions.map((x) => [x.id]), timeMs: 1 }, { now: later })).rejects.toThrow(
      /went to someone else/,
    );
    expect((await submitRanking(t.db, b, { assignmentId: taken.assignmentId, ranking: taken.completions.map((x) => [x.id]), timeMs: 1 }, { now: later })).id).toBeTruthy();
  });

  it("revives the same assignment (same order, same draft) when a user's own lease lapsed and the task is still free", async () => {
    await setup({ prompts: 1, overlap: 1 });
    const a = await user(1);
    const t0 = new Date("2026-01-01T10:00:00Z");
    const first = (await nextTask(t.db, a, { kind: "rank" }, { now: t0 }))!;
    const again = (await nextTask(t.db, a, { kind: "rank" }, { now: new Date(t0.getTime() + 2 * DEFAULT_LEASE_MS) }))!;
    expect(again.assignmentId).toBe(first.assignmentId);
    expect(again.completions).toEqual(first.completions);
    expect(again.status).toBe("active");
  });

  it("filters by project and kind", async () => {
    const p = await setup({ prompts: 1, overlap: 1 });
    const a = await user(1);
    expect(await nextTask(t.db, a, { projectId: "nope" })).toBeNull();
    expect((await nextTask(t.db, a, { projectId: p.id, kind: "rank" }))!.kind).toBe("rank");
  });
});

describe("shuffledOrder", () => {
  it("is a stable permutation per seed, and differs between seeds", () => {
    const ids = ["a", "b", "c", "d", "e", "f"];
    const one = shuffledOrder(ids, "seed-1");
    expect([...one].sort()).toEqual(ids);
    expect(shuffledOrder(ids, "seed-1")).toEqual(one);
    const distinct = new Set(Array.from({ length: 20 }, (_, i) => shuffledOrder(ids, `s${i}`).join("")));
    expect(distinct.size).toBeGreaterThan(10);
  });
});
