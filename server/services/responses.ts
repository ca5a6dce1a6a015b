// Annotator responses: ranking and demonstration submits (idempotent, one transaction each) and demonstration drafts.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { assignments, demonstrations, projects, rankings, tasks } from "../../db/schema";
import type { DbOrTx } from "./audit";
import { ownAssignment, type Assignment } from "./assignment";
import { badRequest, conflict, notFound } from "./errors";
import { validateRanking, type RankingSubmission } from "./ranking-validation";

export interface SubmitResult {
  /** The ranking or demonstration row. */
  id: string;
  assignmentId: string;
  submittedAt: Date;
}

type Task = typeof tasks.$inferSelect;

/** Loads the task and checks the assignment may still take a response; null means "already submitted". */
function openForResponse(tx: DbOrTx, a: Assignment, kind: Task["kind"]): Task | null {
  const task = tx.select().from(tasks).where(eq(tasks.id, a.taskId)).get();
  if (!task) throw notFound("This task no longer exists.");
  if (task.kind !== kind) throw badRequest(`This assignment is a ${task.kind === "rank" ? "ranking" : "demonstration"} task.`);
  if (a.status === "submitted") return null;
  if (a.status === "skipped") throw conflict("You skipped this task; ask for the next one.");
  // An expired lease is still accepted while the task needs responses: the work is not thrown away.
  if (task.responseCount >= task.requiredResponses)
    throw conflict("Your lease on this task expired and others have completed it; ask for the next task.");
  return task;
}

function markSubmitted(tx: DbOrTx, a: Assignment, task: Task, now: Date): void {
  tx.update(assignments).set({ status: "submitted", submittedAt: now }).where(eq(assignments.id, a.id)).run();
  tx.update(tasks).set({ responseCount: sql`${tasks.responseCount} + 1` }).where(eq(tasks.id, task.id)).run();
}

/** Stores a ranking. Submitting the same assignment again changes nothing and returns the first result. */
export function submitRanking(
  db: Db,
  userId: string,
  input: RankingSubmission & { assignmentId: string; timeMs: number },
  opts: { now?: Date } = {},
): SubmitResult {
  const now = opts.now ?? new Date();
  return db.transaction(
    (tx) => {
      const a = ownAssignment(tx, userId, input.assignmentId);
      const task = openForResponse(tx, a, "rank");
      if (!task) {
        const first = tx.select({ id: rankings.id }).from(rankings).where(eq(rankings.assignmentId, a.id)).get()!;
        return { id: first.id, assignmentId: a.id, submittedAt: a.submittedAt! };
      }
      const project = tx.select().from(projects).where(eq(projects.id, task.projectId)).get()!;
      const valid = validateRanking(input, {
        shown: a.displayOrder.length ? a.displayOrder : task.completionIds,
        allowTies: project.allowTies,
        flagSet: project.flags,
        likertScale: project.likertScale,
      });
      const id = tx
        .insert(rankings)
        .values({
          assignmentId: a.id,
          userId,
          promptId: task.promptId,
          ordering: valid.ordering,
          notRankable: valid.notRankable,
          notRankableReason: valid.notRankableReason,
          flags: valid.flags,
          ratings: valid.ratings,
          timeMs: input.timeMs,
          source: "annotator",
          createdAt: now,
        })
        .returning({ id: rankings.id })
        .get().id;
      markSubmitted(tx, a, task, now);
      return { id, assignmentId: a.id, submittedAt: now };
    },
    { behavior: "immediate" },
  );
}

/** Stores a demonstration (replacing its draft). Submitting again changes nothing and returns the first result. */
export function submitDemonstration(
  db: Db,
  userId: string,
  input: { assignmentId: string; text: string; timeMs: number },
  opts: { now?: Date } = {},
): SubmitResult {
  const now = opts.now ?? new Date();
  const text = input.text.trim();
  return db.transaction(
    (tx) => {
      const a = ownAssignment(tx, userId, input.assignmentId);
      const task = openForResponse(tx, a, "demonstrate");
      const existing = tx.select().from(demonstrations).where(eq(demonstrations.assignmentId, a.id)).get();
      if (!task) return { id: existing!.id, assignmentId: a.id, submittedAt: a.submittedAt! };
      if (!text) throw badRequest("Write the response before submitting.");
      let id: string;
      if (existing) {
        tx.update(demonstrations)
          .set({ text, status: "submitted", timeMs: input.timeMs, updatedAt: now })
          .where(eq(demonstrations.id, existing.id))
          .run();
        id = existing.id;
      } else {
        id = tx
          .insert(demonstrations)
          .values({ promptId: task.promptId, userId, assignmentId: a.id, text, status: "submitted", timeMs: input.timeMs, createdAt: now, updatedAt: now })
          .returning({ id: demonstrations.id })
          .get().id;
      }
      markSubmitted(tx, a, task, now);
      return { id, assignmentId: a.id, submittedAt: now };
    },
    { behavior: "immediate" },
  );
}

/** Autosaves a demonstration draft. After the submit a late autosave is ignored (saved: false), not an error. */
export function saveDemonstrationDraft(
  db: Db,
  userId: string,
  input: { assignmentId: string; text: string; timeMs?: number },
): { saved: boolean; savedAt: Date } {
  const now = new Date();
  return db.transaction((tx) => {
    const a = ownAssignment(tx, userId, input.assignmentId);
    const task = tx.select().from(tasks).where(eq(tasks.id, a.taskId)).get();
    if (!task) throw notFound("This task no longer exists.");
    if (task.kind !== "demonstrate") throw badRequest("Only demonstration tasks have drafts.");
    if (a.status === "submitted" || a.status === "skipped") return { saved: false, savedAt: now };
    const existing = tx.select({ id: demonstrations.id }).from(demonstrations).where(eq(demonstrations.assignmentId, a.id)).get();
    const timeMs = input.timeMs ?? 0;
    if (existing) tx.update(demonstrations).set({ text: input.text, timeMs, updatedAt: now }).where(eq(demonstrations.id, existing.id)).run();
    else
      tx.insert(demonstrations)
        .values({ promptId: task.promptId, userId, assignmentId: a.id, text: input.text, status: "draft", timeMs, createdAt: now, updatedAt: now })
        .run();
    return { saved: true, savedAt: now };
  });
}
