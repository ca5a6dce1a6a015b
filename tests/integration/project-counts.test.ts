// The dashboard counters (`project_counts`, kept by the triggers of migration 0009) after every kind of write: an
// annotator's submits, a demonstration draft then submitted, skips, file imports, an import's take-back, deleting a
// prompt or a whole project. After each step they must equal a recount from scratch, made with the queries
// stats.ts ran before the counters existed.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { completions, demonstrations, imports, projectCounts, projects, prompts, rankings, users } from "../../db/schema";
import { allRows, dialectOf } from "../../db/statements";
import type { Db } from "../../db/index";
import { nextTask, skipTask } from "../../server/services/assignment";
import { importDataFileInBatches } from "../../server/services/data-import";
import { createProject } from "../../server/services/projects";
import { recoverInterruptedImports } from "../../server/services/prompt-import-job";
import { importPromptRows, insertPromptIfNew } from "../../server/services/prompts";
import { saveDemonstrationDraft, submitDemonstration, submitRanking } from "../../server/services/responses";
import { OPEN_TASK_KINDS, projectProgress, responseCountsByProject, type CountsByKind, type ProjectProgress } from "../../server/services/stats";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";

/** stats.projectProgress as it was before the counters: a scan of prompts, tasks and submitted assignments. */
async function recountProgress(db: Db): Promise<ProjectProgress[]> {
  const rows = await allRows<{ id: string; name: string; prompts: number; open_tasks: number; responses: number }>(db, sql`
    select p.id, p.name,
           (select count(*) from prompts x where x.project_id = p.id) as prompts,
           (select count(*) from tasks t where t.kind in ${OPEN_TASK_KINDS} and t.project_id = p.id and t.response_count < t.required_responses) as open_tasks,
           (select cast(coalesce(sum(t.response_count), 0) as bigint) from tasks t where t.project_id = p.id) as responses
    from projects p order by p.created_at, p.name`);
  const counts = await allRows<{ project_id: string; email: string; n: number }>(db, sql`
    select t.project_id, u.email, count(*) as n
    from assignments a join tasks t on t.id = a.task_id join users u on u.id = a.user_id
    where a.status = 'submitted'
    group by t.project_id, u.email`);
  return rows.map((p) => ({
    projectId: p.id,
    name: p.name,
    prompts: p.prompts,
    openTasks: p.open_tasks,
    responses: p.responses,
    perAnnotator: counts
      .filter((c) => c.project_id === p.id)
      .map((c) => ({ email: c.email, count: c.n }))
      .sort((a, b) => b.count - a.count || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
  }));
}

/** responseCountsByProject as it was before the counters: submitted demonstrations and all rankings, by prompt. */
async function recountResponses(db: Db): Promise<Map<string, CountsByKind>> {
  const rows = await allRows<{ project_id: string; kind: "demonstrate" | "rank"; n: number }>(db, sql`
    select p.project_id, 'demonstrate' as kind, count(*) as n
    from demonstrations d join prompts p on p.id = d.prompt_id
    where d.status = 'submitted' group by p.project_id
    union all
    select p.project_id, 'rank' as kind, count(*) as n
    from rankings r join prompts p on p.id = r.prompt_id
    group by p.project_id`);
  const counts = new Map<string, CountsByKind>();
  for (const r of rows) counts.set(r.project_id, { ...(counts.get(r.project_id) ?? { demonstrate: 0, rank: 0 }), [r.kind]: r.n });
  return counts;
}

/** Every figure the pages show, from the counters and from scratch, and no counter below zero. */
async function expectCountersExact(db: Db): Promise<void> {
  expect(await projectProgress(db)).toEqual(await recountProgress(db));
  expect(await responseCountsByProject(db)).toEqual(await recountResponses(db));
  expect(await db.select().from(projectCounts).where(sql`${projectCounts.n} < 0`)).toEqual([]);
}

let t: TempDb;
let projectId: string;
const annotators: string[] = [];
beforeAll(async () => {
  t = createTempDb();
  for (const email of ["ann@x", "bea@x", "cid@x"])
    annotators.push((await t.db.insert(users).values({ email, passwordHash: "x", role: "annotator" }).returning())[0]!.id);
});
afterAll(() => t.close());

describe("project counters kept by triggers", () => {
  it("count imported prompts, their tasks and rank tasks opened later", async () => {
    projectId = (await createProject(t.db, { name: "counted", overlap: 2 }, null)).id;
    const rows = Array.from({ length: 6 }, (_, i) => ({ line: i + 1, prompt: `prompt ${i}`, externalId: null, tags: [], split: null }));
    const { promptIds } = await importPromptRows(t.db, projectId, rows, null);
    for (const promptId of promptIds) {
      const ids = await Promise.all([0, 1, 2].map(async (j) => (await t.db.insert(completions).values({ promptId, text: `c${j}`, origin: "model" }).returning())[0]!.id));
      await openRankTask(t.db, { projectId, promptId, completionIds: ids });
    }
    await expectCountersExact(t.db);
    expect((await projectProgress(t.db))[0]).toMatchObject({ prompts: 6, responses: 0, perAnnotator: [] });
  });

  it("follow annotators' submits and skips; a demonstration counts once its draft is submitted", async () => {
    const [ann, bea, cid] = annotators as [string, string, string];
    const demo = (await nextTask(t.db, ann, { projectId, kind: "demonstrate" }))!;
    await saveDemonstrationDraft(t.db, ann, { assignmentId: demo.assignmentId, text: "half an answer" });
    await expectCountersExact(t.db);
    expect((await responseCountsByProject(t.db)).get(projectId)).toBeUndefined(); // a draft is not a response
    await submitDemonstration(t.db, ann, { assignmentId: demo.assignmentId, text: "a whole answer", timeMs: 10 });
    await expectCountersExact(t.db);

    for (const user of [ann, bea, bea, cid]) {
      const task = (await nextTask(t.db, user, { projectId, kind: "rank" }))!;
      await submitRanking(t.db, user, { assignmentId: task.assignmentId, ranking: task.completions.map((c) => [c.id]), timeMs: 1000 });
    }
    const skipped = (await nextTask(t.db, cid, { projectId, kind: "rank" }))!;
    await skipTask(t.db, cid, { assignmentId: skipped.assignmentId, reason: "cannot read it" });
    const direct = (await nextTask(t.db, cid, { projectId, kind: "demonstrate" }))!;
    await submitDemonstration(t.db, cid, { assignmentId: direct.assignmentId, text: "no draft first", timeMs: 5 });
    await expectCountersExact(t.db);
    const progress = (await projectProgress(t.db))[0]!;
    expect(progress.responses).toBe(6);
    expect(progress.perAnnotator).toEqual([
      { email: "ann@x", count: 2 },
      { email: "bea@x", count: 2 },
      { email: "cid@x", count: 2 },
    ]);
    expect((await responseCountsByProject(t.db)).get(projectId)).toEqual({ demonstrate: 2, rank: 4 });
  });

  it("count imported rankings and demonstrations, and take back what a dead import wrote", async () => {
    const lines = Array.from({ length: 5 }, (_, i) => JSON.stringify({ prompt: `imported ${i}`, chosen: `good ${i}`, rejected: `bad ${i}` }));
    await importDataFileInBatches(t.db, "rankings", { projectId, content: lines.join("\n") }, null);
    await importDataFileInBatches(t.db, "demonstrations", { projectId, content: JSON.stringify({ prompt: "prompt 0", completion: "imported answer" }) }, null);
    await expectCountersExact(t.db);

    const dead = (await t.db.insert(imports).values({ kind: "rankings", projectId, totalRows: 2, heartbeatAt: new Date(Date.now() - 10 * 60_000) }).returning())[0]!;
    const p = await insertPromptIfNew(t.db, projectId, { prompt: "half-way", importId: dead.id });
    const c = (await t.db.insert(completions).values({ promptId: p.id, text: "x", origin: "import", importId: dead.id }).returning())[0]!;
    await t.db.insert(rankings).values({ promptId: p.id, ordering: [[c.id]], source: "import", importId: dead.id });
    await t.db.insert(demonstrations).values({ promptId: p.id, text: "y", status: "submitted", importId: dead.id });
    await expectCountersExact(t.db);
    const during = (await responseCountsByProject(t.db)).get(projectId)!;
    expect((await recoverInterruptedImports(t.db)).takenBack).toBe(1);
    await expectCountersExact(t.db);
    expect((await responseCountsByProject(t.db)).get(projectId)).toEqual({ demonstrate: during.demonstrate - 1, rank: during.rank - 1 });
  });

  it("drop what a deleted prompt held (its tasks, assignments, rankings and demonstrations go by cascade)", async () => {
    // The prompt with the most submitted work: a demonstration and rankings, each with its assignment.
    const [busiest] = await allRows<{ prompt_id: string }>(t.db, sql`
      select t.prompt_id from assignments a join tasks t on t.id = a.task_id
      where a.status = 'submitted' and t.project_id = ${projectId}
      group by t.prompt_id order by count(*) desc, t.prompt_id limit 1`);
    await t.db.delete(prompts).where(eq(prompts.id, busiest!.prompt_id));
    await expectCountersExact(t.db);
  });

  it("go with a deleted project, leaving the other projects' counts as they were", async () => {
    const other = (await createProject(t.db, { name: "doomed" }, null)).id;
    await importPromptRows(t.db, other, [{ line: 1, prompt: "only", externalId: null, tags: [], split: null }], null);
    const task = (await nextTask(t.db, annotators[0]!, { projectId: other, kind: "demonstrate" }))!;
    await submitDemonstration(t.db, annotators[0]!, { assignmentId: task.assignmentId, text: "answer", timeMs: 1 });
    await expectCountersExact(t.db);
    await t.db.delete(projects).where(eq(projects.id, other));
    expect(await t.db.select().from(projectCounts).where(eq(projectCounts.projectId, other))).toEqual([]);
    await expectCountersExact(t.db);
  });

  it("are filled from existing rows by the migration's last statement", async () => {
    const before = await projectProgress(t.db);
    await t.db.delete(projectCounts);
    const folder = dialectOf(t.db) === "sqlite" ? "db/migrations" : "db/migrations-pg";
    const file = fs.readdirSync(folder).find((f) => f.endsWith("_project_counts_triggers.sql"))!;
    const backfill = fs.readFileSync(`${folder}/${file}`, "utf8").split("--> statement-breakpoint").at(-1)!;
    if (dialectOf(t.db) === "sqlite") t.db.$client.exec(backfill);
    else await (t.db as unknown as { execute(q: unknown): Promise<unknown> }).execute(sql.raw(backfill));
    expect(await projectProgress(t.db)).toEqual(before);
    await expectCountersExact(t.db);
  });
});
