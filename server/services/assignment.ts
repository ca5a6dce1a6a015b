// Handing out tasks: leases, overlap N, never a task the annotator already answered or skipped, a per-annotator
// shuffled completion order, and the task view an annotator sees (one variant per task kind, with the model
// identity left out).
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { newId } from "../../db/ids";
import { dialectOf, jsonList, lockAnnotator, lockTask, queryStatement, sqlBoolean, sqlStatement } from "../../db/statements";
import { assignments, demonstrations, projects, prompts, rankings, tasks, type TaskKind } from "../../db/schema";
import { conflict, notFound } from "./errors";
import { prepared } from "./prepared";
import { mulberry32, shuffled } from "./random";

/** 30 minutes: long enough to write a careful demonstration, short enough that abandoned tasks come back soon. */
export const DEFAULT_LEASE_MS = 30 * 60 * 1000;

export interface AssignmentOptions {
  now?: Date;
  leaseMs?: number;
  /** Uniform [0, 1) draws for the gold-or-not choice; tests pass their own. */
  random?: () => number;
}

type Candidate = { id: string; completion_ids: string; gold_rate: number };

/**
 * Gold tasks come at the project's gold rate, looking like any other task. Once no regular task is left, the gold
 * ones not yet answered still come (each annotator answers each gold item once), unless the gold rate is 0.
 */
function pickTask(regular: Candidate | undefined, gold: Candidate | undefined, random: () => number): Candidate | undefined {
  if (!gold || gold.gold_rate <= 0) return regular;
  if (!regular) return gold;
  return random() < gold.gold_rate ? gold : regular;
}

export type Assignment = typeof assignments.$inferSelect;

/** A submitted demonstration: the text the annotator wrote. */
export interface DemonstrateResponse {
  kind: "demonstrate";
  text: string;
  timeMs: number;
  submittedAt: Date | null;
}

/** A submitted ranking, stored as given (completion ids, best group first). */
export interface RankResponse {
  kind: "rank";
  ranking: string[][];
  notRankable: boolean;
  notRankableReason: string | null;
  flags: Record<string, string[]>;
  ratings: Record<string, number>;
  rationale: string | null;
  timeMs: number;
  submittedAt: Date | null;
}

export type TaskResponse = DemonstrateResponse | RankResponse;

/** What an annotator sees of any task, whatever its kind. */
interface TaskViewBase {
  assignmentId: string;
  taskId: string;
  status: Assignment["status"];
  projectId: string;
  projectName: string;
  guidelines: string;
  prompt: string;
  messages: { role: string; content: string }[] | null;
  leaseExpiresAt: Date;
  startedAt: Date;
}

export interface DemonstrateTaskView extends TaskViewBase {
  kind: "demonstrate";
  /** The saved draft, if any. */
  draft: string | null;
  /** The submitted response, once there is one. */
  response: DemonstrateResponse | null;
}

/** Completions come in their shuffled order, without model ids. */
export interface RankTaskView extends TaskViewBase {
  kind: "rank";
  completions: { id: string; text: string }[];
  allowTies: boolean;
  /** The flags the project offers for each completion. */
  flags: string[];
  /** Likert points for ratings; 0 when ratings are off. */
  likertScale: number;
  /** The project asks for a one-line reason with each ranking. */
  requireRationale: boolean;
  /** The submitted response, once there is one. */
  response: RankResponse | null;
}

/** What an annotator sees for one assignment: one variant per task kind, told apart by `kind`. */
export type TaskView = DemonstrateTaskView | RankTaskView;
export type TaskViewOf<K extends TaskKind> = Extract<TaskView, { kind: K }>;

/** A deterministic shuffle seeded by the assignment id: the order is stable across reloads, different per annotator. */
export function shuffledOrder(ids: readonly string[], seed: string): string[] {
  // Existing assignments' orders are re-derived from this on every read (the `|| 1` included): any change here
  // would reorder completions annotators have already seen.
  const digest = createHash("sha256").update(seed).digest();
  return shuffled(ids, mulberry32(digest.readUInt32LE(0) || 1));
}

/** The caller's own assignment; someone else's is reported as missing so ids of others' work reveal nothing. */
export async function ownAssignment(db: Db, userId: string, assignmentId: string): Promise<Assignment> {
  const a = await prepared(db, "assignmentById", (d) => queryStatement(d, d.select().from(assignments).where(eq(assignments.id, sql.placeholder("id"))))).get({ id: assignmentId });
  if (!a || a.userId !== userId) throw notFound("No such assignment of yours; ask for the next task.");
  return a;
}

interface Filter {
  projectId?: string;
  kind?: TaskKind;
}

const filterKey = (f: Filter) => `${f.projectId ? "p" : ""}${f.kind ? "k" : ""}`;

/** The next task for a user among regular or gold tasks: still short of responses, not answered or skipped by them. */
function candidateSql(filter: Filter, which: string, order: string): string {
  return `select t.id, t.completion_ids, (select p.gold_rate from projects p where p.id = t.project_id) as gold_rate from tasks t
         where t.response_count < t.required_responses and ${which} ${filter.projectId ? "and t.project_id = @projectId" : ""} ${filter.kind ? "and t.kind = @kind" : ""}
           and not exists (select 1 from assignments a where a.task_id = t.id and a.user_id = @userId
                           and a.status in ('submitted', 'skipped'))
           and t.response_count + (select count(*) from assignments a where a.task_id = t.id and a.status = 'active'
                                   and a.lease_expires_at > @now and a.user_id <> @userId) < t.required_responses
         order by ${order} limit 1`;
}

/** A task's insert order in hand-written SQL: SQLite's rowid, or the identity column `seq` of the PostgreSQL form. */
const taskOrder = (db: Db) => (dialectOf(db) === "sqlite" ? "t.rowid" : "t.seq");

/**
 * The statements nextTask runs, prepared once per connection (and per filter combination). Hand-written: this is
 * the hottest path, and drizzle's per-call cost would be most of its time.
 */
function nextTaskStatements(db: Db, filter: Filter) {
  const key = filterKey(filter);
  return {
    expireStale: prepared(db, "next.expireStale", (d) =>
      sqlStatement(d, "update assignments set status = 'expired' where user_id = @userId and status = 'active' and lease_expires_at <= @now"),
    ),
    held: prepared(db, `next.held.${key}`, (d) =>
      sqlStatement<{ id: string }>(
        d,
        `select a.id from assignments a join tasks t on t.id = a.task_id
         where a.user_id = @userId and a.status = 'active' ${filter.projectId ? "and t.project_id = @projectId" : ""} ${filter.kind ? "and t.kind = @kind" : ""}
         order by a.started_at limit 1`,
      ),
    ),
    renew: prepared(db, "next.renew", (d) => sqlStatement(d, "update assignments set status = 'active', lease_expires_at = @leaseUntil where id = @id")),
    // Walks open tasks in the order of the partial index tasks_open, so finished tasks are never visited: per
    // project, lowest priority first (a scoring run's choice; 0 otherwise), then oldest.
    candidate: prepared(db, `next.candidate.${key}`, (d) =>
      sqlStatement<Candidate>(d, candidateSql(filter, `t.gold = ${sqlBoolean(d, false)}`, `t.kind, t.project_id, t.priority, ${taskOrder(d)}`)),
    ),
    // Gold tasks stay open for every annotator: found through their own small index (tasks_gold), oldest first.
    goldCandidate: prepared(db, `next.goldCandidate.${key}`, (d) => sqlStatement<Candidate>(d, candidateSql(filter, `t.gold = ${sqlBoolean(d, true)}`, taskOrder(d)))),
    previous: prepared(db, "next.previous", (d) => sqlStatement<{ id: string }>(d, "select id from assignments where task_id = @taskId and user_id = @userId")),
    // The candidate's room, asked again once the task's lock is held: the same count as candidateSql, on what is
    // committed now (another process may have handed out the last slot between the pick and the lock).
    stillOpen: prepared(db, "next.stillOpen", (d) =>
      sqlStatement<{ id: string }>(
        d,
        `select t.id from tasks t where t.id = @taskId and t.response_count < t.required_responses
           and t.response_count + (select count(*) from assignments a where a.task_id = t.id and a.status = 'active'
                                   and a.lease_expires_at > @now and a.user_id <> @userId) < t.required_responses`,
      ),
    ),
    insert: prepared(db, "next.insert", (d) =>
      sqlStatement(
        d,
        `insert into assignments (id, task_id, user_id, status, lease_expires_at, display_order, started_at)
         values (@id, @taskId, @userId, 'active', @leaseUntil, @displayOrder, @now)`,
      ),
    ),
  };
}

/**
 * Gives the user their next task, in one transaction, so concurrent callers in any process never over-assign. On
 * SQLite the transaction holds the write lock; on PostgreSQL it holds the annotator's lock, and the picked task's
 * lock before its room is counted again and the assignment written (db/statements.ts lockTask):
 * 1. an unexpired assignment they already hold (lease renewed);
 * 2. else the oldest task (per kind and project) that still needs responses, counting submitted responses and
 *    other people's unexpired leases toward its overlap N, and that they have not answered or skipped.
 * Returns null when the queue is empty for them. Asked for one kind, it returns that kind's view (typed so, which
 * is sound because every queue query filters on t.kind when a kind is given).
 */
export function nextTask<K extends TaskKind>(db: Db, userId: string, filter: Filter & { kind: K }, opts?: AssignmentOptions): Promise<TaskViewOf<K> | null>;
export function nextTask(db: Db, userId: string, filter?: Filter, opts?: AssignmentOptions): Promise<TaskView | null>;
export async function nextTask(db: Db, userId: string, filter: Filter = {}, opts: AssignmentOptions = {}): Promise<TaskView | null> {
  const nowMs = (opts.now ?? new Date()).getTime();
  const leaseUntil = nowMs + (opts.leaseMs ?? DEFAULT_LEASE_MS);
  const q = nextTaskStatements(db, filter);
  // A statement binds only the parameters it names, so the filters not in use are simply left undefined.
  const filterParams = { projectId: filter.projectId, kind: filter.kind };
  const assignmentId = await db.transaction(
    async (tx) => {
      await lockAnnotator(tx, userId);
      // Their own stale leases are marked expired, so what they hold is always visible in the status.
      await q.expireStale.run({ userId, now: nowMs });
      const held = await q.held.get({ userId, ...filterParams });
      if (held) {
        await q.renew.run({ leaseUntil, id: held.id });
        return held.id;
      }
      // A pick can lose its last slot to another process before its lock is taken: then pick again (the next pick
      // reads what that process committed). A handful of tries is plenty; the queue moves on if all are lost.
      for (let attempt = 0; attempt < 8; attempt++) {
        const task = pickTask(
          await q.candidate.get({ userId, now: nowMs, ...filterParams }),
          await q.goldCandidate.get({ userId, now: nowMs, ...filterParams }),
          opts.random ?? Math.random,
        );
        if (!task) return null;
        await lockTask(tx, task.id);
        if (dialectOf(db) !== "sqlite" && !(await q.stillOpen.get({ taskId: task.id, userId, now: nowMs }))) continue;
        // A task they held before and let expire comes back to them on the same row (keeping draft and order).
        const previous = await q.previous.get({ taskId: task.id, userId });
        if (previous) {
          await q.renew.run({ leaseUntil, id: previous.id });
          return previous.id;
        }
        const id = newId();
        const order = shuffledOrder(JSON.parse(task.completion_ids) as string[], id);
        await q.insert.run({ id, taskId: task.id, userId, leaseUntil, displayOrder: JSON.stringify(order), now: nowMs });
        return id;
      }
      return null;
    },
  );
  return assignmentId ? await taskView(db, userId, assignmentId) : null;
}

/** One of the caller's assignments as they see it (to resume a task or review what they submitted). */
export async function taskView(db: Db, userId: string, assignmentId: string): Promise<TaskView> {
  const a = await ownAssignment(db, userId, assignmentId);
  const q = taskViewStatements(db);
  const row = await q.context.get({ taskId: a.taskId });
  if (!row) throw notFound("This task no longer exists.");
  const { task, prompt, project } = row;
  const base: TaskViewBase = {
    assignmentId: a.id,
    taskId: task.id,
    status: a.status,
    projectId: project.id,
    projectName: project.name,
    guidelines: project.guidelines,
    prompt: prompt.text,
    messages: prompt.messages ?? null,
    leaseExpiresAt: a.leaseExpiresAt,
    startedAt: a.startedAt,
  };
  switch (task.kind) {
    case "demonstrate":
      return await demonstrateView(q, a, base);
    case "rank":
      return await rankView(q, a, base, project);
    default: {
      // A new task kind makes this line a compile error until it has its own view.
      const unhandled: never = task.kind;
      throw new Error(`No task view for task kind '${String(unhandled)}'.`);
    }
  }
}

type TaskViewStatements = ReturnType<typeof taskViewStatements>;

async function demonstrateView(q: TaskViewStatements, a: Assignment, base: TaskViewBase): Promise<DemonstrateTaskView> {
  const demo = await q.demonstration.get({ assignmentId: a.id });
  return {
    ...base,
    kind: "demonstrate",
    draft: demo?.status === "draft" ? demo.text : null,
    response: demo?.status === "submitted" ? { kind: "demonstrate", text: demo.text, timeMs: demo.timeMs, submittedAt: a.submittedAt } : null,
  };
}

async function rankView(
  q: TaskViewStatements,
  a: Assignment,
  base: TaskViewBase,
  project: Pick<typeof projects.$inferSelect, "allowTies" | "flags" | "likertScale" | "requireRationale">,
): Promise<RankTaskView> {
  let completions: { id: string; text: string }[] = [];
  if (a.displayOrder.length) {
    const rows = await q.completionTexts.all({ ids: JSON.stringify(a.displayOrder) });
    const texts = new Map(rows.map((c) => [c.id, c.text]));
    completions = a.displayOrder.filter((id) => texts.has(id)).map((id) => ({ id, text: texts.get(id)! }));
  }
  const r = a.status === "submitted" ? await q.ranking.get({ assignmentId: a.id }) : undefined;
  return {
    ...base,
    kind: "rank",
    completions,
    allowTies: project.allowTies,
    flags: project.flags,
    likertScale: project.likertScale,
    requireRationale: project.requireRationale,
    response: r
      ? {
          kind: "rank",
          ranking: r.ordering,
          notRankable: r.notRankable,
          notRankableReason: r.notRankableReason,
          flags: r.flags,
          ratings: r.ratings,
          rationale: r.rationale,
          timeMs: r.timeMs,
          submittedAt: a.submittedAt,
        }
      : null,
  };
}

function taskViewStatements(db: Db) {
  return {
    context: prepared(db, "view.context", (d) =>
      queryStatement(
        d,
        d
          .select({ task: tasks, prompt: { text: prompts.text, messages: prompts.messages }, project: projects })
          .from(tasks)
          .innerJoin(prompts, eq(prompts.id, tasks.promptId))
          .innerJoin(projects, eq(projects.id, tasks.projectId))
          .where(eq(tasks.id, sql.placeholder("taskId"))),
      ),
    ),
    // One statement for any number of ids: the id list travels as a JSON array.
    completionTexts: prepared(db, "view.completions", (d) =>
      sqlStatement<{ id: string; text: string }>(d, `select id, text from completions where id in (${jsonList(d, "ids")})`),
    ),
    demonstration: prepared(db, "view.demonstration", (d) =>
      queryStatement(d, d.select().from(demonstrations).where(eq(demonstrations.assignmentId, sql.placeholder("assignmentId")))),
    ),
    ranking: prepared(db, "view.ranking", (d) => queryStatement(d, d.select().from(rankings).where(eq(rankings.assignmentId, sql.placeholder("assignmentId"))))),
  };
}

/** Skips a task with a reason; it is never handed to this user again. Skipping twice is a no-op. */
export async function skipTask(db: Db, userId: string, input: { assignmentId: string; reason: string }): Promise<{ assignmentId: string; status: "skipped" }> {
  return await db.transaction(
    async (tx) => {
      const a = await ownAssignment(db, userId, input.assignmentId);
      if (a.status === "submitted") throw conflict("You already submitted this task, so it cannot be skipped.");
      if (a.status !== "skipped")
        await tx.update(assignments).set({ status: "skipped", skipReason: input.reason.trim() }).where(eq(assignments.id, a.id));
      return { assignmentId: a.id, status: "skipped" as const };
    },
  );
}
