// The item explorer: a project's ranked prompts, searchable and filtered (disagreeing, gold, in review), and one
// item opened whole: the prompt, every completion with its model, every annotator's ranking with rationale and
// flags, the gold ranking and the review. The research page and the review page both read items through here.
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { containsText, insertOrder } from "../../db/sql-fragments";
import { completions, goldItems, prompts, rankings, reviews, users } from "../../db/schema";
import { notFound } from "./errors";
import { itemFigures } from "./item-figures";

import { ITEM_FILTERS, type ItemFilter } from "./item-filters";

export { ITEM_FILTERS, type ItemFilter };

export interface ItemSummary {
  promptId: string;
  prompt: string;
  rankings: number;
  annotators: number;
  agreement: number | null;
  gold: boolean;
  review: (typeof reviews.$inferSelect)["status"] | null;
}

/** Orderings of one prompt's annotators (latest per annotator), usable ones only. */
function agreementOf(orderings: string[][][]): number | null {
  return orderings.length >= 2 ? itemFigures(orderings).agreement : null;
}

/** A page of the project's ranked prompts, newest first; `disagree` keeps those at or below `below` (the project's review threshold). */
export async function listItems(
  db: Db,
  input: { projectId: string; search?: string; filter?: ItemFilter; below?: number; page?: number; pageSize?: number },
): Promise<{ items: ItemSummary[]; page: number; hasMore: boolean }> {
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 50;
  const where: SQL[] = [eq(prompts.projectId, input.projectId), sql`exists (select 1 from rankings r where r.prompt_id = ${prompts.id})`];
  if (input.search?.trim()) where.push(containsText(prompts.text, input.search.trim()));
  const filter = input.filter ?? "all";
  if (filter === "gold") where.push(sql`exists (select 1 from gold_items g where g.prompt_id = ${prompts.id})`);
  if (filter === "review") where.push(sql`exists (select 1 from reviews v where v.prompt_id = ${prompts.id})`);
  if (filter === "overlap" || filter === "disagree")
    where.push(sql`(select count(distinct r.user_id) from rankings r where r.prompt_id = ${prompts.id} and r.not_rankable = false) >= 2`);
  // `disagree` is decided after reading each item's rankings, so it reads ahead a few pages' worth.
  const limit = filter === "disagree" ? pageSize * 20 : pageSize + 1;
  const offset = filter === "disagree" ? 0 : (page - 1) * pageSize;
  const rows = await db
    .select({ id: prompts.id, text: prompts.text })
    .from(prompts)
    .where(and(...where))
    .orderBy(sql`${insertOrder(prompts)} desc`)
    .limit(limit)
    .offset(offset);
  const ids = rows.map((r) => r.id);
  const ranked = ids.length
    ? await db.select({ promptId: rankings.promptId, userId: rankings.userId, ordering: rankings.ordering, notRankable: rankings.notRankable }).from(rankings).where(inArray(rankings.promptId, ids)).orderBy(asc(rankings.createdAt))
    : [];
  const goldSet = new Set(ids.length ? (await db.select({ p: goldItems.promptId }).from(goldItems).where(inArray(goldItems.promptId, ids))).map((g) => g.p) : []);
  const reviewOf = new Map(ids.length ? (await db.select({ p: reviews.promptId, status: reviews.status }).from(reviews).where(inArray(reviews.promptId, ids))).map((v) => [v.p, v.status]) : []);
  let items = rows.map((row): ItemSummary => {
    const mine = ranked.filter((r) => r.promptId === row.id);
    const latest = new Map<string, string[][]>();
    for (const r of mine) if (!r.notRankable && r.userId) latest.set(r.userId, r.ordering);
    return {
      promptId: row.id,
      prompt: row.text,
      rankings: mine.length,
      annotators: latest.size,
      agreement: agreementOf([...latest.values()].filter((o) => sameSet(o, [...latest.values()][0]!))),
      gold: goldSet.has(row.id),
      review: reviewOf.get(row.id) ?? null,
    };
  });
  if (filter === "disagree") {
    items = items.filter((i) => i.agreement !== null && i.agreement <= (input.below ?? 0.5)).slice((page - 1) * pageSize);
  }
  return { items: items.slice(0, pageSize), page, hasMore: items.length > pageSize };
}

function sameSet(a: string[][], b: string[][]): boolean {
  const x = a.flat();
  const y = new Set(b.flat());
  return x.length === y.size && x.every((id) => y.has(id));
}

export interface ItemDetail {
  promptId: string;
  projectId: string;
  prompt: string;
  messages: { role: string; content: string }[] | null;
  completions: { id: string; text: string; model: string | null }[];
  rankings: {
    id: string;
    annotator: string | null;
    ordering: string[][];
    notRankable: boolean;
    notRankableReason: string | null;
    rationale: string | null;
    flags: Record<string, string[]>;
    ratings: Record<string, number>;
    timeMs: number;
    createdAt: Date;
  }[];
  gold: string[][] | null;
  agreement: number | null;
  reviews: { id: string; itemKey: string; reason: string; status: string; agreement: number | null; ordering: string[][] | null; note: string | null; reviewer: string | null }[];
}

/** One item whole (every completion set of the prompt together; rankings say which completions they ordered). */
export async function itemDetail(db: Db, promptId: string): Promise<ItemDetail> {
  const prompt = (await db.select().from(prompts).where(eq(prompts.id, promptId)))[0];
  if (!prompt) throw notFound("No such item.");
  const rows = await db
    .select({
      id: rankings.id,
      annotator: users.email,
      userId: rankings.userId,
      ordering: rankings.ordering,
      notRankable: rankings.notRankable,
      notRankableReason: rankings.notRankableReason,
      rationale: rankings.rationale,
      flags: rankings.flags,
      ratings: rankings.ratings,
      timeMs: rankings.timeMs,
      createdAt: rankings.createdAt,
    })
    .from(rankings)
    .leftJoin(users, eq(users.id, rankings.userId))
    .where(eq(rankings.promptId, promptId))
    .orderBy(asc(rankings.createdAt));
  const usable = rows.filter((r) => !r.notRankable && r.ordering.flat().length >= 2);
  const first = usable[0]?.ordering;
  const gold = (await db.select({ ordering: goldItems.ordering }).from(goldItems).where(eq(goldItems.promptId, promptId)))[0];
  const reviewer = sql<string | null>`(select u.email from users u where u.id = ${reviews.reviewerId})`;
  return {
    promptId,
    projectId: prompt.projectId,
    prompt: prompt.text,
    messages: prompt.messages ?? null,
    completions: await db
      .select({ id: completions.id, text: completions.text, model: completions.modelName })
      .from(completions)
      .where(eq(completions.promptId, promptId))
      .orderBy(asc(completions.createdAt), asc(completions.id)),
    rankings: rows.map(({ userId: _u, ...r }) => r),
    gold: gold?.ordering ?? null,
    agreement: first ? agreementOf(usable.filter((r) => sameSet(r.ordering, first)).map((r) => r.ordering)) : null,
    reviews: await db
      .select({ id: reviews.id, itemKey: reviews.itemKey, reason: reviews.reason, status: reviews.status, agreement: reviews.agreement, ordering: reviews.ordering, note: reviews.note, reviewer })
      .from(reviews)
      .where(eq(reviews.promptId, promptId)),
  };
}
