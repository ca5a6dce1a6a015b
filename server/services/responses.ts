// Annotator responses: ranking and demonstration submits (idempotent, one transaction each) and demonstration drafts.
import { eq, sql } from "drizzle-orm";
import { newId } from "../../db/ids";
import type { Db } from "../../db/index";
import { dialectOf, lockTask, queryStatement, sqlStatement } from "../../db/statements";
import { demonstrations, projects, tasks } from "../../db/schema";
import { ownAssignment, type Assignment } from "./assignment";
import { badRequest, conflict, notFound } from "./errors";
import { prepared } from "./prepared";
import { validateRanking, type RankingSubmission } from "./ranking-validation";

export interface SubmitResult {
  /** The ranking or demonstration row. */
  id: string;
  assignmentId: string;
  submittedAt: Date;
}

type Task = typeof tasks.$inferSelect;

/** The submit path's statements, prepared once per connection; the writes hand-written, as it is a hot path. */
function statements(db: Db) {
  return {
    task: prepared(db, "submit.task", (d) => queryStatement(d, d.select().from(tasks).where(eq(tasks.id, sql.placeholder("id"))))),
    project: prepared(db, "submit.project", (d) => queryStatement(d, d.select().from(projects).where(eq(projects.id, sql.placeholder("id"))))),
    rankingId: prepared(db, "submit.rankingId", (d) => sqlStatement<{ id: string }>(d, "select id from rankings where assignment_id = @assignmentId")),
    insertRanking: prepared(db, "submit.insertRanking", (d) =>
      sqlStatement(
        d,
        `insert into rankings (id, assignment_id, user_id, prompt_id, ordering, not_rankable, not_rankable_reason, flags, ratings, rationale, time_ms, source, created_at)
         values (@id, @assignmentId, @userId, @promptId, @ordering, @notRankable, @notRankableReason, @flags, @ratings, @rationale, @timeMs, 'annotator', @now)`,
      ),
    ),
    markAssignment: prepared(db, "submit.markAssignment", (d) => sqlStatement(d, "update assignments set status = 'submitted', submitted_at = @now where id = @id")),
    othersActive: prepared(db, "submit.othersActive", (d) =>
      sqlStatement<{ n: number }>(
        d,
        "select count(*) as n from assignments where task_id = @taskId and user_id <> @userId and status = 'active' and lease_expires_at > @now",
      ),
    ),
    countResponse: prepared(db, "submit.countResponse", (d) => sqlStatement(d, "update tasks set response_count = response_count + 1 where id = @id")),
  };
}

/**
 * The caller's assignment, its task locked for this transaction (db/statements.ts lockTask): read again once the lock
 * is held on PostgreSQL, since a second submit of it, or another's lease on the task, may have landed meanwhile.
 */
async function lockedAssignment(tx: object, db: Db, userId: string, assignmentId: string): Promise<Assignment> {
  const a = await ownAssignment(db, userId, assignmentId);
  await lockTask(tx, a.taskId);
  return dialectOf(db) === "sqlite" ? a : await ownAssignment(db, userId, assignmentId);
}

/** Loads the task and checks the assignment may still take a response; null means "already submitted". */
async function openForResponse(db: Db, a: Assignment, kind: Task["kind"], now: Date): Promise<Task | null> {
  const q = statements(db);
  const task = await q.task.get({ id: a.taskId });
  if (!task) throw notFound("This task no longer exists.");
  if (task.kind !== kind) throw badRequest(`This assignment is a ${task.kind === "rank" ? "ranking" : "demonstration"} task.`);
  if (a.status === "submitted") return null;
  if (a.status === "skipped") throw conflict("You skipped this task; ask for the next one.");
  if (task.responseCount >= task.requiredResponses) throw conflict("This task already has all the responses it needs; ask for the next task.");
  // Work done on an expired lease is still taken while the task has room, but never at the expense of
  // someone who now holds the slot.
  const expired = a.status === "expired" || a.leaseExpiresAt.getTime() <= now.getTime();
  if (expired) {
    const { n } = (await q.othersActive.get({ taskId: task.id, userId: a.userId, now: now.getTime() }))!;
    if (task.responseCount + n >= task.requiredResponses)
      throw conflict("Your lease on this task expired and it went to someone else; ask for the next task.");
  }
  return task;
}

async function markSubmitted(db: Db, a: Assignment, task: Task, now: Date): Promise<void> {
  const q = statements(db);
  await q.markAssignment.run({ now: now.getTime(), id: a.id });
  await q.countResponse.run({ id: task.id });
}

/** Stores a ranking. Submitting the same assignment again changes nothing and returns the first result. */
export async function submitRanking(
  db: Db,
  userId: string,
  input: RankingSubmission & { assignmentId: string; timeMs: number },
  opts: { now?: Date } = {},
): Promise<SubmitResult> {
  const now = opts.now ?? new Date();
  const q = statements(db);
  return await db.transaction(
    async (tx) => {
      const a = await lockedAssignment(tx, db, userId, input.assignmentId);
      const task = await openForResponse(db, a, "rank", now);
      if (!task) {
        const first = (await q.rankingId.get({ assignmentId: a.id }))!;
        return { id: first.id, assignmentId: a.id, submittedAt: a.submittedAt! };
      }
      const project = (await q.project.get({ id: task.projectId }))!;
      const valid = validateRanking(input, {
        shown: a.displayOrder.length ? a.displayOrder : task.completionIds,
        allowTies: project.allowTies,
        flagSet: project.flags,
        likertScale: project.likertScale,
        requireRationale: project.requireRationale,
      });
      const id = newId();
      await q.insertRanking.run({
        id,
        assignmentId: a.id,
        userId,
        promptId: task.promptId,
        ordering: JSON.stringify(valid.ordering),
        notRankable: valid.notRankable,
        notRankableReason: valid.notRankableReason,
        flags: JSON.stringify(valid.flags),
        ratings: JSON.stringify(valid.ratings),
        rationale: valid.rationale,
        timeMs: input.timeMs,
        now: now.getTime(),
      });
      await markSubmitted(db, a, task, now);
      return { id, assignmentId: a.id, submittedAt: now };
    },
  );
}

/** Stores a demonstration (replacing its draft). Submitting again changes nothing and returns the first result. */
export async function submitDemonstration(
  db: Db,
  userId: string,
  input: { assignmentId: string; text: string; timeMs: number },
  opts: { now?: Date } = {},
): Promise<SubmitResult> {
  const now = opts.now ?? new Date();
  const text = input.text.trim();
  return await db.transaction(
    async (tx) => {
      const a = await lockedAssignment(tx, db, userId, input.assignmentId);
      const task = await openForResponse(db, a, "demonstrate", now);
      const existing = (await tx.select().from(demonstrations).where(eq(demonstrations.assignmentId, a.id)))[0];
      if (!task) return { id: existing!.id, assignmentId: a.id, submittedAt: a.submittedAt! };
      if (!text) throw badRequest("Write the response before submitting.");
      let id: string;
      if (existing) {
        await tx.update(demonstrations)
          .set({ text, status: "submitted", timeMs: input.timeMs, updatedAt: now })
          .where(eq(demonstrations.id, existing.id));
        id = existing.id;
      } else {
        id = (await tx
          .insert(demonstrations)
          .values({ promptId: task.promptId, userId, assignmentId: a.id, text, status: "submitted", timeMs: input.timeMs, createdAt: now, updatedAt: now })
          .returning({ id: demonstrations.id }))[0].id;
      }
      await markSubmitted(db, a, task, now);
      return { id, assignmentId: a.id, submittedAt: now };
    },
  );
}

/** Autosaves a demonstration draft. After the submit a late autosave is ignored (saved: false), not an error. */
export async function saveDemonstrationDraft(
  db: Db,
  userId: string,
  input: { assignmentId: string; text: string; timeMs?: number },
): Promise<{ saved: boolean; savedAt: Date }> {
  const now = new Date();
  return await db.transaction(async (tx) => {
    const a = await ownAssignment(db, userId, input.assignmentId);
    const task = await statements(db).task.get({ id: a.taskId });
    if (!task) throw notFound("This task no longer exists.");
    if (task.kind !== "demonstrate") throw badRequest("Only demonstration tasks have drafts.");
    if (a.status === "submitted" || a.status === "skipped") return { saved: false, savedAt: now };
    const existing = (await tx.select({ id: demonstrations.id }).from(demonstrations).where(eq(demonstrations.assignmentId, a.id)))[0];
    const timeMs = input.timeMs ?? 0;
    if (existing) await tx.update(demonstrations).set({ text: input.text, timeMs, updatedAt: now }).where(eq(demonstrations.id, existing.id));
    else
      await tx.insert(demonstrations)
        .values({ promptId: task.promptId, userId, assignmentId: a.id, text: input.text, status: "draft", timeMs, createdAt: now, updatedAt: now });
    return { saved: true, savedAt: now };
  });
}
