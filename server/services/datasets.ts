// Training data read from the database: SFT examples from demonstrations, rankings with their completion texts,
// and preference pairs derived from them. The trainer, the CLI and exports all read data through here. Gold items
// stay out unless asked, and an item a reviewer adjudicated reads as the reviewer's ranking alone.
import { and, asc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { queryStatement } from "../../db/statements";
import { completions, demonstrations, models, prompts, rankings, reviews, users } from "../../db/schema";
import { pairwiseAgreement } from "./agreement";
import { rankingToPairs } from "./pairs";
import { collect } from "./async-iter";

export type Split = "train" | "test";

export interface DatasetFilter {
  projectId?: string;
  split?: Split;
  /** Only responses created at or after / before these times. */
  since?: Date;
  until?: Date;
  /** Only responses by this annotator (email). */
  annotator?: string;
  /** Only rankings that include a completion sampled from this model (id). */
  modelId?: string;
  /** Only rankings that include a completion written by the model of this name (registered or external). */
  modelName?: string;
  /** Gold items (prompts with a known ranking) are left out unless this is set. */
  includeGold?: boolean;
}

export interface SftExample {
  promptId: string;
  prompt: string;
  completion: string;
  split: Split;
  messages: { role: string; content: string }[] | null;
}

export interface RankedExample {
  rankingId: string;
  promptId: string;
  projectId: string;
  /** The annotator's user id (null for imports without one, and for adjudicated items read as the reviewer's). */
  userId: string | null;
  /** True when this is a reviewer's adjudicated ranking, standing for every annotator's ranking of the item. */
  adjudicated: boolean;
  prompt: string;
  split: Split;
  /** The completions this ranking orders, in no particular order, each with the name of the model that wrote it. */
  completions: { id: string; text: string; model: string | null }[];
  /** Groups of completion ids, best → worst; a group of several is a tie. */
  ranking: string[][];
  annotator: string | null;
  timeMs: number;
  flags: Record<string, string[]>;
  /** completion id → the annotator's Likert rating, where they gave one. */
  ratings: Record<string, number>;
  /** The annotator's one-line reason (or the reviewer's note on an adjudicated item). */
  rationale: string | null;
  /** Chat form of the prompt when it was imported as messages. */
  messages: { role: string; content: string }[] | null;
  createdAt: Date;
  /** How many usable rankings this item (prompt + same completions) has, and their pairwise agreement. */
  annotators: number;
  agreement: number | null;
}

export interface PreferencePairExample {
  rankingId: string;
  promptId: string;
  prompt: string;
  split: Split;
  chosen: string;
  rejected: string;
  chosenId: string;
  rejectedId: string;
}

function promptWhere(filter: DatasetFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.projectId) where.push(eq(prompts.projectId, filter.projectId));
  if (filter.split) where.push(eq(prompts.split, filter.split));
  if (!filter.includeGold) where.push(sql`not exists (select 1 from gold_items g where g.prompt_id = ${prompts.id})`);
  return where;
}

function responseWhere(filter: DatasetFilter, table: typeof rankings | typeof demonstrations): SQL[] {
  const where: SQL[] = [];
  if (filter.since) where.push(gte(table.createdAt, filter.since));
  if (filter.until) where.push(lt(table.createdAt, filter.until));
  if (filter.annotator) where.push(eq(users.email, filter.annotator));
  return where;
}

/** Submitted demonstrations (annotated or imported), paged by id so any number stays in flat memory. */
export async function* iterateSftExamples(db: Db, filter: DatasetFilter = {}): AsyncGenerator<SftExample> {
  let afterId = "";
  for (;;) {
    const page = await db
      .select({
        id: demonstrations.id,
        promptId: prompts.id,
        prompt: prompts.text,
        messages: prompts.messages,
        completion: demonstrations.text,
        split: prompts.split,
      })
      .from(demonstrations)
      .innerJoin(prompts, eq(demonstrations.promptId, prompts.id))
      .leftJoin(users, eq(demonstrations.userId, users.id))
      .where(
        and(gt(demonstrations.id, afterId), eq(demonstrations.status, "submitted"), ...promptWhere(filter), ...responseWhere(filter, demonstrations)),
      )
      .orderBy(asc(demonstrations.id))
      .limit(PAGE);
    if (!page.length) return;
    afterId = page[page.length - 1]!.id;
    for (const { id: _id, messages, ...ex } of page) yield { ...ex, messages: messages ?? null };
  }
}

/** Submitted demonstrations as prompt → completion examples: what SFT trains on. */
export async function sftExamples(db: Db, filter: DatasetFilter = {}): Promise<SftExample[]> {
  return await collect(iterateSftExamples(db, filter));
}

/** Demonstrations read per query: exports of any size stay in flat memory. */
const PAGE = 200;

/**
 * Prompts read per page of rankings. Each page is a handful of prepared range queries (prompt ids in (lo, hi]) over
 * the prompt-id indexes, so the per-query cost is paid once per hundred prompts, not once per ranking. Small pages
 * keep what one step holds small: a background export hands the event loop back between pages (a page of 100
 * prompts with K = 4 and 4 annotators is ~5 ms of work), and short-lived pages cost the garbage collector less.
 */
const PROMPT_PAGE = 100;

/** A raw row of the rankings page query, in its select order (prepared `.values()`: no per-row mapping). */
type RankingRow = [
  id: string, promptId: string, projectId: string, userId: string | null, split: Split,
  ordering: string, annotator: string | null, timeMs: number, flags: string, ratings: string, rationale: string | null, createdAt: number,
];
type PromptRow = [id: string, text: string, messages: string | null];
type CompletionRow = [id: string, text: string, modelId: string | null, model: string | null];
type ReviewRow = [id: string, promptId: string, itemKey: string, ordering: string | null, reviewer: string | null, resolvedAt: number | null, note: string | null];

/** The page queries of one iteration, prepared once with the filter's values bound and the page bounds as placeholders. */
function rankedPageQueries(db: Db, filter: DatasetFilter) {
  const lo = sql.placeholder("lo");
  const hi = sql.placeholder("hi");
  const inRange = (column: typeof prompts.id | typeof rankings.promptId | typeof completions.promptId | typeof reviews.promptId) =>
    and(gt(column, lo), lte(column, hi));
  // The prompts of a page: those in (lo, hi] that pass the prompt filters (the range also holds other projects' prompts).
  const pagePrompts = db.select({ id: prompts.id }).from(prompts).where(and(inRange(prompts.id), ...promptWhere(filter)));
  return {
    promptIds: queryStatement(db, db
      .select({ id: prompts.id })
      .from(prompts)
      .where(and(gt(prompts.id, lo), ...promptWhere(filter), sql`exists (select 1 from ${rankings} where ${rankings.promptId} = ${prompts.id})`))
      .orderBy(asc(prompts.id))
      .limit(sql.placeholder("limit"))
      ),
    rankings: queryStatement(
      db,
      db
      .select({
        id: rankings.id, promptId: prompts.id, projectId: prompts.projectId, userId: rankings.userId, split: prompts.split, ordering: rankings.ordering, annotator: users.email, timeMs: rankings.timeMs, flags: rankings.flags, ratings: rankings.ratings,
        rationale: rankings.rationale, createdAt: rankings.createdAt,
      })
      .from(rankings)
      .innerJoin(prompts, eq(rankings.promptId, prompts.id))
      .leftJoin(users, eq(rankings.userId, users.id))
      .where(and(inRange(rankings.promptId), eq(rankings.notRankable, false), ...promptWhere(filter), ...responseWhere(filter, rankings)))
      .orderBy(asc(rankings.promptId), asc(rankings.createdAt), asc(rankings.id))
      ),
    // Each prompt's text once, not once per ranking of it.
    prompts: queryStatement(db, db.select({ id: prompts.id, text: prompts.text, messages: prompts.messages }).from(prompts).where(inRange(prompts.id))),
    completions: queryStatement(
      db,
      db
      .select({ id: completions.id, text: completions.text, modelId: completions.modelId, model: sql<string | null>`coalesce(${completions.modelName}, ${models.name})` })
      .from(completions)
      .leftJoin(models, eq(completions.modelId, models.id))
      .where(and(inRange(completions.promptId), inArray(completions.promptId, pagePrompts)))
      ),
    // A ranking names completions of its own prompt; one that names another's is looked up by id.
    completionById: queryStatement(
      db,
      db
      .select({ id: completions.id, text: completions.text, modelId: completions.modelId, model: sql<string | null>`coalesce(${completions.modelName}, ${models.name})` })
      .from(completions)
      .leftJoin(models, eq(completions.modelId, models.id))
      .where(eq(completions.id, sql.placeholder("id")))
      ),
    reviews: queryStatement(
      db,
      db
      .select({ id: reviews.id, promptId: reviews.promptId, itemKey: reviews.itemKey, ordering: reviews.ordering, reviewer: users.email, resolvedAt: reviews.resolvedAt, note: reviews.note })
      .from(reviews)
      .leftJoin(users, eq(users.id, reviews.reviewerId))
      .where(and(inRange(reviews.promptId), eq(reviews.status, "resolved")))
      ),
  };
}
type RankedPageQueries = ReturnType<typeof rankedPageQueries>;

/**
 * Every usable ranking with its completion texts, grouped by prompt, in pages. `not_rankable` rankings are left
 * out; several annotators' rankings of the same completions each appear (so they all count), each carrying the
 * agreement of all rankings of that item.
 */
export async function* iterateRankedExamples(db: Db, filter: DatasetFilter = {}): AsyncGenerator<RankedExample> {
  for await (const page of iterateRankedPages(db, filter)) yield* page;
}

/** The same, a page of prompts' rankings at a time: what the export reads (one await per page, not per ranking). */
export async function* iterateRankedPages(db: Db, filter: DatasetFilter = {}): AsyncGenerator<RankedExample[]> {
  const queries = rankedPageQueries(db, filter);
  let lo = "";
  for (;;) {
    const page = (await queries.promptIds.values({ lo, limit: PROMPT_PAGE })) as [string][];
    if (!page.length) return;
    const hi = page[page.length - 1]![0];
    const examples = await rankedExamplesOfPromptRange(queries, lo, hi, filter);
    if (examples.length) yield examples;
    lo = hi;
  }
}

/** An item is a prompt with one set of completions: its key is the sorted completion ids. */
const completionSetKey = (ordering: string[][]) => ordering.flat().sort().join(",");

async function rankedExamplesOfPromptRange(q: RankedPageQueries, lo: string, hi: string, filter: DatasetFilter): Promise<RankedExample[]> {
  type Row = { row: RankingRow; ordering: string[][]; item: string };
  const rows: Row[] = [];
  for (const row of (await q.rankings.values({ lo, hi })) as RankingRow[]) {
    const ordering = JSON.parse(row[5]) as string[][];
    let n = 0;
    for (const group of ordering) n += group.length;
    if (n >= 2) rows.push({ row, ordering, item: `${row[1]}|${completionSetKey(ordering)}` });
  }
  if (!rows.length) return [];

  const promptById = new Map<string, { text: string; messages: RankedExample["messages"] }>();
  for (const [id, text, messages] of (await q.prompts.values({ lo, hi })) as PromptRow[])
    promptById.set(id, { text, messages: messages === null ? null : (JSON.parse(messages) as RankedExample["messages"]) });
  const completionById = new Map<string, { text: string; modelId: string | null; model: string | null }>();
  for (const [id, text, modelId, model] of (await q.completions.values({ lo, hi })) as CompletionRow[]) completionById.set(id, { text, modelId, model });
  for (const { ordering } of rows)
    for (const group of ordering)
      for (const id of group)
        if (!completionById.has(id)) {
          const c = (await q.completionById.values({ id }))[0] as CompletionRow | undefined;
          if (c) completionById.set(id, { text: c[1], modelId: c[2], model: c[3] });
        }

  // Agreement is per item: the same prompt with the same set of completions, computed once per item.
  const orderingsByItem = new Map<string, string[][][]>();
  for (const r of rows) {
    const list = orderingsByItem.get(r.item);
    if (list) list.push(r.ordering);
    else orderingsByItem.set(r.item, [r.ordering]);
  }
  const agreementByItem = new Map<string, number | null>();
  const agreementOf = (item: string) => {
    if (!agreementByItem.has(item)) agreementByItem.set(item, pairwiseAgreement(orderingsByItem.get(item)!));
    return agreementByItem.get(item)!;
  };

  // An adjudicated item is its reviewer's ranking alone: it takes the place of the item's first ranking, the others go.
  const adjudicated = new Map<string, ReviewRow>();
  for (const v of (await q.reviews.values({ lo, hi })) as ReviewRow[]) if (v[3] !== null) adjudicated.set(`${v[1]}|${v[2]}`, v);
  const usedItems = new Set<string>();

  const out: RankedExample[] = [];
  for (const { row, ordering: annotatorOrdering, item } of rows) {
    const review = adjudicated.get(item);
    if (review && usedItems.has(item)) continue;
    if (review) usedItems.add(item);
    const ordering = review ? (JSON.parse(review[3]!) as string[][]) : annotatorOrdering;
    const ids = ordering.flat();
    if (filter.modelId && !ids.some((id) => completionById.get(id)?.modelId === filter.modelId)) continue;
    if (filter.modelName && !ids.some((id) => completionById.get(id)?.model === filter.modelName)) continue;
    const [rankingId, promptId, projectId, userId, split, , annotator, timeMs, flags, ratings, rationale, createdAt] = row;
    const prompt = promptById.get(promptId)!;
    out.push({
      rankingId: review ? review[0] : rankingId,
      promptId,
      projectId,
      userId: review ? null : userId,
      adjudicated: !!review,
      prompt: prompt.text,
      messages: prompt.messages,
      split,
      completions: ids.map((id) => {
        const c = completionById.get(id);
        return { id, text: c?.text ?? "", model: c?.model ?? null };
      }),
      ranking: ordering,
      annotator: review ? review[4] : annotator,
      timeMs: review ? 0 : timeMs,
      flags: review ? {} : (JSON.parse(flags) as RankedExample["flags"]),
      ratings: JSON.parse(ratings) as RankedExample["ratings"],
      rationale: review ? review[6] : rationale,
      createdAt: new Date(review ? (review[5] ?? createdAt) : createdAt),
      annotators: review ? 1 : orderingsByItem.get(item)!.length,
      agreement: review ? pairwiseAgreement([ordering]) : agreementOf(item),
    });
  }
  return out;
}

/**
 * How many source rows a read of this filter goes through: usable rankings, or submitted demonstrations. An export
 * job's progress bar ends here (the model filter is left out: it only ever makes the read shorter).
 */
export async function datasetRowCount(db: Db, filter: DatasetFilter, source: "rankings" | "demonstrations"): Promise<number> {
  const table = source === "rankings" ? rankings : demonstrations;
  const usable = source === "rankings" ? eq(rankings.notRankable, false) : eq(demonstrations.status, "submitted");
  return (await db
    .select({ n: sql<number>`count(*)` })
    .from(table)
    .innerJoin(prompts, eq(table.promptId, prompts.id))
    .leftJoin(users, eq(table.userId, users.id))
    .where(and(usable, ...promptWhere(filter), ...responseWhere(filter, table))))[0]!.n;
}

/** All usable rankings (see iterateRankedExamples) as an array: what trainers read. */
export async function rankedExamples(db: Db, filter: DatasetFilter = {}): Promise<RankedExample[]> {
  return (await collect(iterateRankedPages(db, filter))).flat();
}

/** The (chosen, rejected) pairs of one ranked example; ties give no pair. */
export function examplePairs(ex: RankedExample): PreferencePairExample[] {
  const text = new Map(ex.completions.map((c) => [c.id, c.text]));
  return rankingToPairs(ex.ranking).map((p) => ({
    rankingId: ex.rankingId,
    promptId: ex.promptId,
    prompt: ex.prompt,
    split: ex.split,
    chosen: text.get(p.chosen)!,
    rejected: text.get(p.rejected)!,
    chosenId: p.chosen,
    rejectedId: p.rejected,
  }));
}

/** One (chosen, rejected) row per pair derived from each ranking. */
export async function preferencePairs(db: Db, filter: DatasetFilter = {}): Promise<PreferencePairExample[]> {
  return (await rankedExamples(db, filter)).flatMap(examplePairs);
}
