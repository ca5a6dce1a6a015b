// Training data read from the database: SFT examples from demonstrations, rankings with their completion texts,
// and preference pairs derived from them. The trainer, the CLI and exports all read data through here. Gold items
// stay out unless asked, and an item a reviewer adjudicated reads as the reviewer's ranking alone.
import { and, asc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, demonstrations, models, prompts, rankings, reviews, users } from "../../db/schema";
import { pairwiseAgreement } from "./agreement";
import { rankingToPairs } from "./pairs";

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
export function* iterateSftExamples(db: Db, filter: DatasetFilter = {}): Generator<SftExample> {
  let afterId = "";
  for (;;) {
    const page = db
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
      .limit(PAGE)
      .all();
    if (!page.length) return;
    afterId = page[page.length - 1]!.id;
    for (const { id: _id, messages, ...ex } of page) yield { ...ex, messages: messages ?? null };
  }
}

/** Submitted demonstrations as prompt → completion examples: what SFT trains on. */
export function sftExamples(db: Db, filter: DatasetFilter = {}): SftExample[] {
  return [...iterateSftExamples(db, filter)];
}

/** Rows (or prompts) read per query: exports of any size stay in flat memory. */
const PAGE = 200;

/**
 * Every usable ranking with its completion texts, grouped by prompt, in pages. `not_rankable` rankings are left
 * out; several annotators' rankings of the same completions each appear (so they all count), each carrying the
 * agreement of all rankings of that item.
 */
export function* iterateRankedExamples(db: Db, filter: DatasetFilter = {}): Generator<RankedExample> {
  let afterPromptId = "";
  for (;;) {
    const page = db
      .selectDistinct({ id: prompts.id })
      .from(prompts)
      .innerJoin(rankings, eq(rankings.promptId, prompts.id))
      .where(and(gt(prompts.id, afterPromptId), ...promptWhere(filter)))
      .orderBy(asc(prompts.id))
      .limit(PAGE)
      .all()
      .map((p) => p.id);
    if (!page.length) return;
    afterPromptId = page[page.length - 1]!;
    yield* rankedExamplesOfPrompts(db, page, filter);
  }
}

function rankedExamplesOfPrompts(db: Db, promptIds: string[], filter: DatasetFilter): RankedExample[] {
  const rows = db
    .select({
      rankingId: rankings.id,
      promptId: prompts.id,
      projectId: prompts.projectId,
      userId: rankings.userId,
      prompt: prompts.text,
      messages: prompts.messages,
      split: prompts.split,
      ordering: rankings.ordering,
      annotator: users.email,
      timeMs: rankings.timeMs,
      flags: rankings.flags,
      ratings: rankings.ratings,
      rationale: rankings.rationale,
      createdAt: rankings.createdAt,
    })
    .from(rankings)
    .innerJoin(prompts, eq(rankings.promptId, prompts.id))
    .leftJoin(users, eq(rankings.userId, users.id))
    .where(and(inArray(prompts.id, promptIds), eq(rankings.notRankable, false), ...responseWhere(filter, rankings)))
    .orderBy(asc(prompts.id), asc(rankings.createdAt), asc(rankings.id))
    .all()
    .filter((r) => r.ordering.flat().length >= 2);

  const ids = [...new Set(rows.flatMap((r) => r.ordering.flat()))];
  const completionById = new Map<string, { text: string; modelId: string | null; model: string | null }>();
  // SQLite caps bound parameters, so look the completions up in chunks.
  for (let i = 0; i < ids.length; i += 500)
    for (const c of db
      .select({ id: completions.id, text: completions.text, modelId: completions.modelId, modelName: completions.modelName, registeredName: models.name })
      .from(completions)
      .leftJoin(models, eq(completions.modelId, models.id))
      .where(inArray(completions.id, ids.slice(i, i + 500)))
      .all())
      completionById.set(c.id, { text: c.text, modelId: c.modelId, model: c.modelName ?? c.registeredName ?? null });

  // Agreement is per item: the same prompt with the same set of completions.
  const itemKey = (r: { promptId: string; ordering: string[][] }) => `${r.promptId}|${[...r.ordering.flat()].sort().join(",")}`;
  const orderingsByItem = new Map<string, string[][][]>();
  for (const r of rows) orderingsByItem.set(itemKey(r), [...(orderingsByItem.get(itemKey(r)) ?? []), r.ordering]);

  // An adjudicated item is its reviewer's ranking alone: it takes the place of the item's first ranking, the others go.
  const adjudicated = new Map(
    db
      .select({ promptId: reviews.promptId, itemKey: reviews.itemKey, ordering: reviews.ordering, reviewer: users.email, resolvedAt: reviews.resolvedAt, id: reviews.id, note: reviews.note })
      .from(reviews)
      .leftJoin(users, eq(users.id, reviews.reviewerId))
      .where(and(inArray(reviews.promptId, promptIds), eq(reviews.status, "resolved")))
      .all()
      .filter((v) => v.ordering)
      .map((v) => [`${v.promptId}|${v.itemKey}`, v]),
  );
  const usedItems = new Set<string>();
  const merged = adjudicated.size
    ? rows.flatMap((r) => {
        const v = adjudicated.get(itemKey(r));
        if (!v) return [{ ...r, adjudicated: false }];
        if (usedItems.has(itemKey(r))) return [];
        usedItems.add(itemKey(r));
        return [{ ...r, rankingId: v.id, userId: null, ordering: v.ordering!, annotator: v.reviewer, timeMs: 0, flags: {}, rationale: v.note, createdAt: v.resolvedAt ?? r.createdAt, adjudicated: true }];
      })
    : rows.map((r) => ({ ...r, adjudicated: false }));

  return merged
    .filter((r) => !filter.modelId || r.ordering.flat().some((id) => completionById.get(id)?.modelId === filter.modelId))
    .filter((r) => !filter.modelName || r.ordering.flat().some((id) => completionById.get(id)?.model === filter.modelName))
    .map((r) => {
      const orderings = r.adjudicated ? [r.ordering] : orderingsByItem.get(itemKey(r))!;
      return {
        rankingId: r.rankingId,
        promptId: r.promptId,
        projectId: r.projectId,
        userId: r.userId,
        adjudicated: r.adjudicated,
        prompt: r.prompt,
        messages: r.messages ?? null,
        split: r.split,
        completions: r.ordering.flat().map((id) => ({ id, text: completionById.get(id)?.text ?? "", model: completionById.get(id)?.model ?? null })),
        ranking: r.ordering,
        annotator: r.annotator ?? null,
        timeMs: r.timeMs,
        flags: r.flags,
        ratings: r.ratings,
        rationale: r.rationale,
        createdAt: r.createdAt,
        annotators: orderings.length,
        agreement: pairwiseAgreement(orderings),
      };
    });
}

/** All usable rankings (see iterateRankedExamples) as an array: what trainers read. */
export function rankedExamples(db: Db, filter: DatasetFilter = {}): RankedExample[] {
  return [...iterateRankedExamples(db, filter)];
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
export function preferencePairs(db: Db, filter: DatasetFilter = {}): PreferencePairExample[] {
  return rankedExamples(db, filter).flatMap(examplePairs);
}
