// The review queue: items whose annotators disagree (pairwise agreement at or below the project's `review_below`:
// the measure's floor is 0.5, an even split on every pair, so the default 0.5 means exactly that) or whose
// gold check an annotator failed. A reviewer sees every ranking side by side and accepts one or writes the
// adjudicated ranking (what exports then use for the item), or sends the item out again with a higher overlap.
import { and, asc, count, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { insertOrder, rowsChanged } from "../../db/sql-fragments";
import { lockFor } from "../../db/statements";
import { goldItems, prompts, rankings, reviews, tasks } from "../../db/schema";
import { writeAudit } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import { getProject } from "./projects";
import { qualityReport } from "./quality";
import { goldAgreement } from "./reliability";
import { openRankTask } from "./task-queue";

/** Below half its gold pairs right, an annotator's ranking of a gold item is a failed check. */
const GOLD_FAIL_BELOW = 0.5;

/**
 * Finds the project's items that need review and queues those not queued yet (a resolved item stays resolved). An
 * item sent out again comes back to the queue once new rankings arrived and it still needs review.
 */
export async function refreshReviewQueue(db: Db, projectId: string): Promise<{ queued: number }> {
  const project = await getProject(db, projectId);
  const found: { promptId: string; itemKey: string; reason: "disagreement" | "gold"; agreement: number | null; annotators: number }[] = [];
  await qualityReport(db, projectId, (item) => {
    const itemKey = [...item.completionIds].sort().join(",");
    const annotators = item.users.size;
    if (item.agreement !== null && item.agreement <= project.reviewBelow) found.push({ promptId: item.promptId, itemKey, reason: "disagreement", agreement: item.agreement, annotators });
    else if (item.gold) {
      const failed = [...item.users.values()].some((o) => {
        const c = goldAgreement(o, item.gold!);
        return c.pairs > 0 && c.agree / c.pairs < GOLD_FAIL_BELOW;
      });
      if (failed) found.push({ promptId: item.promptId, itemKey, reason: "gold", agreement: item.agreement, annotators });
    }
  });
  if (!found.length) return { queued: 0 };
  return await db.transaction(async (tx) => {
    let queued = 0;
    for (const f of found) {
      queued += rowsChanged(await tx.insert(reviews).values({ projectId, ...f }).onConflictDoNothing());
      queued += rowsChanged(await tx
        .update(reviews)
        .set({ status: "open", reason: f.reason, agreement: f.agreement, annotators: f.annotators, resolvedAt: null })
        .where(and(eq(reviews.promptId, f.promptId), eq(reviews.itemKey, f.itemKey), eq(reviews.status, "sent_back"), lt(reviews.annotators, f.annotators))));
    }
    return { queued };
  });
}

export interface ReviewSummary {
  id: string;
  projectId: string;
  promptId: string;
  prompt: string;
  reason: string;
  agreement: number | null;
  status: string;
}

/**
 * What decides a project's queue besides its reviews: the rankings (a refresh only ever adds to the queue, so only
 * new rankings matter, and the newest insert order of an append-only table says whether there are any in O(1)), its
 * gold items and its review threshold.
 */
async function queueInputs(db: Db, projectId: string): Promise<string> {
  const newest = (await db.select({ r: sql<number | null>`max(${insertOrder(rankings)})` }).from(rankings))[0]?.r ?? 0;
  const gold = (await db.select({ n: count() }).from(goldItems).where(eq(goldItems.projectId, projectId)))[0]!.n;
  return `${newest}|${gold}|${(await getProject(db, projectId)).reviewBelow}`;
}

/** Per connection and project, the inputs the queue was last refreshed from. */
const refreshedFrom = new WeakMap<object, Map<string, string>>();

/**
 * Open reviews of a project, oldest first, refreshed first when anything that decides them changed since the last
 * refresh: a refresh reads every ranking of the project (1.7 s at 100,000), too much for every look at the page.
 */
export async function reviewQueue(db: Db, projectId: string): Promise<ReviewSummary[]> {
  let seen = refreshedFrom.get(db.$client);
  if (!seen) refreshedFrom.set(db.$client, (seen = new Map()));
  const inputs = await queueInputs(db, projectId);
  if (seen.get(projectId) !== inputs) {
    await refreshReviewQueue(db, projectId);
    seen.set(projectId, inputs);
  }
  return await db
    .select({ id: reviews.id, projectId: reviews.projectId, promptId: reviews.promptId, prompt: prompts.text, reason: reviews.reason, agreement: reviews.agreement, status: reviews.status })
    .from(reviews)
    .innerJoin(prompts, eq(prompts.id, reviews.promptId))
    .where(and(eq(reviews.projectId, projectId), inArray(reviews.status, ["open"])))
    .orderBy(asc(reviews.createdAt), asc(reviews.id));
}

async function openReview(db: Db, reviewId: string) {
  const review = (await db.select().from(reviews).where(eq(reviews.id, reviewId)))[0];
  if (!review) throw notFound("No such review.");
  if (review.status !== "open") throw conflict(`This item was already ${review.status === "resolved" ? "adjudicated" : "sent out again"}.`);
  return review;
}

/** Checks that an adjudicated ranking places each of the item's completions exactly once. */
function checkOrdering(ordering: string[][], itemKey: string): void {
  const expected = new Set(itemKey.split(","));
  const given = ordering.flat();
  if (ordering.some((g) => g.length === 0)) throw badRequest("The ranking has an empty group.");
  if (given.length !== expected.size || new Set(given).size !== given.length || given.some((id) => !expected.has(id)))
    throw badRequest(`The adjudicated ranking must place each of the item's ${expected.size} completions exactly once.`);
  if (ordering.length < 2) throw badRequest("A ranking with every completion tied has no preference in it.");
}

/** The reviewer's ranking (one annotator's accepted, or their own) becomes the item's ranking in exports. */
export async function resolveReview(db: Db, reviewerId: string, input: { reviewId: string; ordering: string[][]; note?: string }): Promise<{ id: string; status: "resolved" }> {
  return await db.transaction(async (tx) => {
    // Two reviewers deciding the same item at once: the second waits, then finds it decided.
    await lockFor(tx, "reviews");
    const review = await openReview(db, input.reviewId);
    checkOrdering(input.ordering, review.itemKey);
    await tx.update(reviews)
      .set({ status: "resolved", ordering: input.ordering, note: input.note?.trim() || null, reviewerId, resolvedAt: new Date() })
      .where(eq(reviews.id, review.id));
    await writeAudit(tx, { userId: reviewerId, action: "review.resolve", entity: "review", entityId: review.id, detail: { promptId: review.promptId } });
    return { id: review.id, status: "resolved" as const };
  });
}

/** Sends the item out again: its ranking task asks for `extra` more responses (opened anew for imported items). */
export async function sendBackForMoreRankings(db: Db, reviewerId: string, input: { reviewId: string; extra?: number }): Promise<{ id: string; status: "sent_back"; requiredResponses: number }> {
  const extra = input.extra ?? 1;
  if (!Number.isInteger(extra) || extra < 1 || extra > 10) throw badRequest("Ask for 1 to 10 more annotators.");
  return await db.transaction(async (tx) => {
    await lockFor(tx, "reviews");
    const review = await openReview(db, input.reviewId);
    const ids = review.itemKey.split(",");
    const { taskId, created } = await openRankTask(tx, { projectId: review.projectId, promptId: review.promptId, completionIds: ids });
    const task = (await tx.select({ requiredResponses: tasks.requiredResponses, responseCount: tasks.responseCount }).from(tasks).where(eq(tasks.id, taskId)))[0]!;
    // A task opened now (an imported item) asks for `extra` fresh annotators; an existing one for `extra` more.
    const requiredResponses = created ? extra : Math.max(task.requiredResponses, task.responseCount) + extra;
    await tx.update(tasks).set({ requiredResponses }).where(eq(tasks.id, taskId));
    await tx.update(reviews).set({ status: "sent_back", reviewerId, resolvedAt: new Date() }).where(eq(reviews.id, review.id));
    await writeAudit(tx, { userId: reviewerId, action: "review.send_back", entity: "review", entityId: review.id, detail: { taskId, requiredResponses } });
    return { id: review.id, status: "sent_back" as const, requiredResponses };
  });
}
