// Annotator responses: ranking and demonstration submits (idempotent, one transaction each) and demonstration drafts.
import { eq, sql } from "drizzle-orm";
import { newId } from "../../db/ids";
import type { Db } from "../../db/index";
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

function statements(db: Db) {
  return {
    task: prepared(db, "submit.task", (d) => d.select().from(tasks).where(eq(tasks.id, sql.placeholder("id"))).prepare()),
    project: prepared(db, "submit.project", (d) => d.select().from(projects).where(eq(projects.id, sql.placeholder("id"))).prepare()),
    rankingId: prepared(db, "submit.rankingId", (d) => d.$client.prepare("select id from rankings where assignment_id = ?")),
    insertRanking: prepared(db, "submit.insertRanking", (d) =>
      d.$client.prepare(
        `insert into rankings (id, assignment_id, user_id, prompt_id, ordering, not_rankable, not_rankable_reason, flags, ratings, rationale, time_ms, source, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'annotator', ?)`,
      ),
    ),
    markAssignment: prepared(db, "submit.markAssignment", (d) => d.$client.prepare("update assignments set status = 'submitted', submitted_at = ? where id = ?")),
    othersActive: prepared(db, "submit.othersActive", (d) =>
      d.$client.prepare("select count(*) as n from assignments where task_id = ? and user_id <> ? and status = 'active' and lease_expires_at > ?"),
    ),
    countResponse: prepared(db, "submit.countResponse", (d) => d.$client.prepare("update tasks set response_count = response_count + 1 where id = ?")),
  };
}

/** Loads the task and checks the assignment may still take a response; null means "already submitted". */
function openForResponse(db: Db, a: Assignment, kind: Task["kind"], now: Date): Task | null {
  const q = statements(db);
  const task = q.task.get({ id: a.taskId });
  if (!task) throw notFound("This task no longer exists.");
  if (task.kind !== kind) throw badRequest(`This assignment is a ${task.kind === "rank" ? "ranking" : "demonstration"} task.`);
  if (a.status === "submitted") return null;
  if (a.status === "skipped") throw conflict("You skipped this task; ask for the next one.");
  if (task.responseCount >= task.requiredResponses) throw conflict("This task already has all the responses it needs; ask for the next task.");
  // Work done on an expired lease is still taken while the task has room, but never at the expense of
  // someone who now holds the slot.
  const expired = a.status === "expired" || a.leaseExpiresAt.getTime() <= now.getTime();
  if (expired) {
    const { n } = q.othersActive.get(task.id, a.userId, now.getTime()) as { n: number };
    if (task.responseCount + n >= task.requiredResponses)
      throw conflict("Your lease on this task expired and it went to someone else; ask for the next task.");
  }
  return task;
}

function markSubmitted(db: Db, a: Assignment, task: Task, now: Date): void {
  const q = statements(db);
  q.markAssignment.run(now.getTime(), a.id);
  q.countResponse.run(task.id);
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
    async () => {
      const a = ownAssignment(db, userId, input.assignmentId);
      const task = openForResponse(db, a, "rank", now);
      if (!task) {
        const first = q.rankingId.get(a.id) as { id: string };
        return { id: first.id, assignmentId: a.id, submittedAt: a.submittedAt! };
      }
      const project = q.project.get({ id: task.projectId })!;
      const valid = validateRanking(input, {
        shown: a.displayOrder.length ? a.displayOrder : task.completionIds,
        allowTies: project.allowTies,
        flagSet: project.flags,
        likertScale: project.likertScale,
        requireRationale: project.requireRationale,
      });
      const id = newId();
      q.insertRanking.run(
        id,
        a.id,
        userId,
        task.promptId,
        JSON.stringify(valid.ordering),
        valid.notRankable ? 1 : 0,
        valid.notRankableReason,
        JSON.stringify(valid.flags),
        JSON.stringify(valid.ratings),
        valid.rationale,
        input.timeMs,
        now.getTime(),
      );
      markSubmitted(db, a, task, now);
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
      const a = ownAssignment(db, userId, input.assignmentId);
      const task = openForResponse(db, a, "demonstrate", now);
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
      markSubmitted(db, a, task, now);
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
    const a = ownAssignment(db, userId, input.assignmentId);
    const task = statements(db).task.get({ id: a.taskId });
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
