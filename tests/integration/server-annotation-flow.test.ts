// The annotation flow through tRPC callers on a temp database: overlap, idempotent submits, skips, leases,
// ownership, drafts, dashboards, imports, audit and readable input errors.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assignments, auditLog, completions, rankings, tasks } from "../../db/schema";
import type { DemonstrateTaskView, RankTaskView, TaskView } from "../../server/services/assignment";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";
import { callerFor, makeUser, outcome } from "./helpers";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

/** A project with `n` prompts, each with `k` completions and an open rank task (plus its demonstrate task). */
async function rankProject(opts: { n: number; k?: number; overlap?: number; allowTies?: boolean }) {
  const project = await createProject(t.db, { name: `p${Math.random()}`, overlap: opts.overlap ?? 1, allowTies: opts.allowTies ?? false, k: opts.k ?? 4 }, null);
  const rows = Array.from({ length: opts.n }, (_, i) => ({ line: i + 1, prompt: `prompt ${i}`, externalId: null, tags: [], split: null }));
  const { promptIds } = await importPromptRows(t.db, project.id, rows, null);
  for (const promptId of promptIds) {
    const ids = await Promise.all(
      Array.from({ length: opts.k ?? 4 }, async (_, j) =>
        (await t.db.insert(completions).values({ promptId, text: `completion ${j} of ${promptId}`, origin: "model" }).returning())[0].id,
      ),
    );
    await openRankTask(t.db, { projectId: project.id, promptId, completionIds: ids });
  }
  return project;
}

/** The task as its rank variant: the router answers with the union of all kinds. */
function asRank(view: TaskView | null): RankTaskView {
  if (view?.kind !== "rank") throw new Error(`expected a rank task, got ${view?.kind ?? "none"}`);
  return view;
}

function asDemonstrate(view: TaskView | null): DemonstrateTaskView {
  if (view?.kind !== "demonstrate") throw new Error(`expected a demonstrate task, got ${view?.kind ?? "none"}`);
  return view;
}

describe("tasks.next", () => {
  it("returns the contract fields, completions shuffled per annotator and without model identity", async () => {
    const project = await rankProject({ n: 1, k: 4, overlap: 2 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const b = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const ta = asRank(await a.tasks.next({ projectId: project.id, kind: "rank" }));
    const tb = asRank(await b.tasks.next({ projectId: project.id, kind: "rank" }));
    expect(ta).toMatchObject({ kind: "rank", prompt: "prompt 0", projectId: project.id });
    expect(typeof ta.assignmentId).toBe("string");
    expect(ta.completions).toHaveLength(4);
    for (const c of ta.completions) expect(Object.keys(c).sort()).toEqual(["id", "text"]);
    expect(ta.taskId).toBe(tb.taskId);
    expect(new Set(ta.completions.map((c) => c.id))).toEqual(new Set(tb.completions.map((c) => c.id)));
    // Same order on every reload for the same annotator.
    expect(asRank(await a.tasks.get({ assignmentId: ta.assignmentId })).completions).toEqual(ta.completions);
  });

  it("gives back the task an annotator already holds instead of a new one", async () => {
    const project = await rankProject({ n: 3 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const first = await a.tasks.next({ projectId: project.id, kind: "rank" });
    const again = await a.tasks.next({ projectId: project.id, kind: "rank" });
    expect(again!.assignmentId).toBe(first!.assignmentId);
  });

  it("honours overlap N and returns null when nothing is left", async () => {
    const project = await rankProject({ n: 1, overlap: 2 });
    const [a, b, c] = await Promise.all([0, 1, 2].map(async () => await callerFor(t.db, await makeUser(t.db, "annotator"))));
    expect(await a!.tasks.next({ projectId: project.id, kind: "rank" })).not.toBeNull();
    expect(await b!.tasks.next({ projectId: project.id, kind: "rank" })).not.toBeNull();
    expect(await c!.tasks.next({ projectId: project.id, kind: "rank" })).toBeNull();
  });

  it("20 annotators asking at once never over-assign (overlap 3)", async () => {
    const project = await rankProject({ n: 5, overlap: 3 });
    const annotators = await Promise.all(Array.from({ length: 20 }, async () => await callerFor(t.db, await makeUser(t.db, "annotator"))));
    const got = await Promise.all(annotators.map((c) => c.tasks.next({ projectId: project.id, kind: "rank" })));
    const perTask = new Map<string, number>();
    for (const g of got) if (g) perTask.set(g.taskId, (perTask.get(g.taskId) ?? 0) + 1);
    expect([...perTask.values()].every((n) => n <= 3)).toBe(true);
    expect(got.filter(Boolean)).toHaveLength(15);
  });

  it("puts a task whose lease expired back into the pool", async () => {
    const project = await rankProject({ n: 1, overlap: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const b = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const held = (await a.tasks.next({ projectId: project.id, kind: "rank" }))!;
    expect(await b.tasks.next({ projectId: project.id, kind: "rank" })).toBeNull();
    await t.db.update(assignments).set({ leaseExpiresAt: new Date(Date.now() - 1000) }).where(eq(assignments.id, held.assignmentId));
    const taken = await b.tasks.next({ projectId: project.id, kind: "rank" });
    expect(taken?.taskId).toBe(held.taskId);
  });
});

describe("rankings.submit", () => {
  it("is idempotent: a second submit changes nothing and returns the first result", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = asRank(await a.tasks.next({ projectId: project.id, kind: "rank" }));
    const ranking = task.completions.map((c) => [c.id]);
    const first = await a.rankings.submit({ assignmentId: task.assignmentId, ranking, timeMs: 1200 });
    const second = await a.rankings.submit({ assignmentId: task.assignmentId, ranking: [...ranking].reverse(), timeMs: 5 });
    expect(second).toEqual(first);
    expect(await t.db.select().from(rankings)).toHaveLength(1);
    expect((await t.db.select().from(rankings))[0]!.ordering).toEqual(ranking);
    expect((await t.db.select().from(tasks).where(eq(tasks.id, task.taskId)))[0]!.responseCount).toBe(1);
  });

  it("accepts only a ranking that covers exactly the shown completions, with a readable message", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = asRank(await a.tasks.next({ projectId: project.id, kind: "rank" }));
    const ids = task.completions.map((c) => c.id);
    await expect(a.rankings.submit({ assignmentId: task.assignmentId, ranking: ids.slice(1).map((i) => [i]), timeMs: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Rank all 4"),
    });
    await expect(a.rankings.submit({ assignmentId: task.assignmentId, ranking: [[ids[0]!, ids[1]!], [ids[2]!], [ids[3]!]], timeMs: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("ties"),
    });
    await expect(a.rankings.submit({ assignmentId: task.assignmentId, ranking: [], timeMs: -5 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^Invalid input: timeMs/),
    });
  });

  it("stores 'cannot rank' with its reason, and flags and ratings", async () => {
    const project = await rankProject({ n: 2 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const t1 = (await a.tasks.next({ projectId: project.id, kind: "rank" }))!;
    await a.rankings.submit({ assignmentId: t1.assignmentId, ranking: [], notRankable: true, notRankableReason: "all empty", timeMs: 10 });
    const t2 = asRank(await a.tasks.next({ projectId: project.id, kind: "rank" }));
    const [c0] = t2.completions;
    await a.rankings.submit({
      assignmentId: t2.assignmentId,
      ranking: t2.completions.map((c) => [c.id]),
      flags: { [c0!.id]: ["harmful"] },
      ratings: { [c0!.id]: 2 },
      timeMs: 10,
    });
    const rows = await t.db.select().from(rankings);
    expect(rows.find((r) => r.notRankable)?.notRankableReason).toBe("all empty");
    expect(rows.find((r) => !r.notRankable)).toMatchObject({ flags: { [c0!.id]: ["harmful"] }, ratings: { [c0!.id]: 2 } });
  });

  it("refuses someone else's assignment as not found", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const b = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = asRank(await a.tasks.next({ projectId: project.id, kind: "rank" }));
    expect(await outcome(b.tasks.get({ assignmentId: task.assignmentId }))).toBe("NOT_FOUND");
    expect(await outcome(b.rankings.submit({ assignmentId: task.assignmentId, ranking: task.completions.map((c) => [c.id]), timeMs: 1 }))).toBe("NOT_FOUND");
  });
});

describe("tasks.skip", () => {
  it("never serves a skipped task to the same annotator again, but others still get it", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const b = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = (await a.tasks.next({ projectId: project.id, kind: "rank" }))!;
    await a.tasks.skip({ assignmentId: task.assignmentId, reason: "I do not know this topic" });
    expect(await a.tasks.next({ projectId: project.id, kind: "rank" })).toBeNull();
    expect((await b.tasks.next({ projectId: project.id, kind: "rank" }))?.taskId).toBe(task.taskId);
    expect((await t.db.select().from(assignments).where(eq(assignments.id, task.assignmentId)))[0]!.skipReason).toBe("I do not know this topic");
  });

  it("requires a reason", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = (await a.tasks.next({ projectId: project.id }))!;
    expect(await outcome(a.tasks.skip({ assignmentId: task.assignmentId, reason: "  " }))).toBe("BAD_REQUEST");
  });
});

describe("demonstrations", () => {
  it("autosaves a draft, resumes it, submits once, and counts in the annotator's stats", async () => {
    const project = await rankProject({ n: 1 });
    const a = await callerFor(t.db, await makeUser(t.db, "annotator"));
    const task = (await a.tasks.next({ projectId: project.id, kind: "demonstrate" }))!;
    expect(task.kind).toBe("demonstrate");
    await a.demonstrations.saveDraft({ assignmentId: task.assignmentId, text: "first words", timeMs: 500 });
    expect(asDemonstrate(await a.tasks.next({ projectId: project.id, kind: "demonstrate" })).draft).toBe("first words");
    const r1 = await a.demonstrations.submit({ assignmentId: task.assignmentId, text: "The full answer.", timeMs: 3000 });
    const r2 = await a.demonstrations.submit({ assignmentId: task.assignmentId, text: "changed", timeMs: 1 });
    expect(r2).toEqual(r1);
    expect((await a.demonstrations.saveDraft({ assignmentId: task.assignmentId, text: "late autosave" })).saved).toBe(false);
    const view = await a.tasks.get({ assignmentId: task.assignmentId });
    expect(view.response).toMatchObject({ kind: "demonstrate", text: "The full answer." });
    expect(await a.stats.mine()).toMatchObject({ today: 1, total: 1, medianTimeMs: 3000, byKind: { demonstrate: 1, rank: 0 } });
  });
});

/** Polls an import until it has ended. */
async function importDone(admin: Awaited<ReturnType<typeof callerFor>>, importId: string) {
  for (let i = 0; i < 200; i++) {
    const s = await admin.prompts.importStatus({ importId });
    if (s.status === "succeeded" || s.status === "failed") return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`import ${importId} did not end`);
}

describe("admin features", () => {
  it("imports prompts with line-numbered errors and no duplicates, audits it, and shows progress", async () => {
    const admin = await callerFor(t.db, await makeUser(t.db, "admin"));
    const project = await admin.projects.create({ name: "Import test", overlap: 1 });
    const content = ['{"prompt":"one"}', "oops", '{"prompt":"two","id":"t2","split":"test","tags":["x"]}', '{"prompt":"one"}'].join("\n");
    // The file is checked at once and written in the background; the page follows it with importStatus.
    const started = await admin.prompts.import({ projectId: project.id, format: "jsonl", content });
    expect(started).toEqual({ importId: expect.any(String), total: 3, errors: [{ line: 2, message: "not valid JSON" }] });
    expect(await importDone(admin, started.importId)).toMatchObject({ status: "succeeded", progress: 1, imported: 2, duplicates: 1, errors: [{ line: 2, message: "not valid JSON" }] });
    const again = await admin.prompts.import({ projectId: project.id, format: "csv", content: "prompt,id\none,\ntwo renamed,t2\n" });
    expect(await importDone(admin, again.importId)).toMatchObject({ imported: 0, duplicates: 2 });
    const list = await admin.prompts.list({ projectId: project.id, search: "tw", page: 1, pageSize: 10 });
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ text: "two", split: "test", tags: ["x"], externalId: "t2" });
    const progress = (await admin.stats.projectProgress()).find((p) => p.projectId === project.id);
    expect(progress).toMatchObject({ prompts: 2, openTasks: 2, responses: 0, perAnnotator: [] });
    const actions = (await t.db.select({ action: auditLog.action }).from(auditLog)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["project.create", "prompts.import"]));
    expect((await admin.audit.list({ page: 1, pageSize: 10 })).items[0]!.userEmail).toMatch(/@test.local$/);
  });

  it("creates users with a generated password, disables them, and keeps at least one admin", async () => {
    const adminUser = await makeUser(t.db, "admin");
    const admin = await callerFor(t.db, adminUser);
    const { user, generatedPassword } = await admin.users.create({ email: "New@Example.com", role: "annotator" });
    expect(user.email).toBe("new@example.com");
    expect(generatedPassword).toMatch(/^\S{16}$/);
    expect(await outcome(admin.users.create({ email: "new@example.com", role: "annotator" }))).toBe("CONFLICT");
    await admin.users.update({ id: user.id, disabled: true });
    expect(await outcome((await callerFor(t.db, user)).tasks.next({}))).toBe("UNAUTHORIZED");
    expect(await outcome(admin.users.update({ id: adminUser.id, role: "annotator" }))).toBe("BAD_REQUEST");
    expect((await admin.users.list()).every((u) => !("passwordHash" in u))).toBe(true);
  });
});
