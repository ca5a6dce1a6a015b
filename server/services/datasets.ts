// Training data read from the database: SFT examples from demonstrations, rankings with their completion texts,
// and preference pairs derived from them. The trainer, the CLI and exports all read data through here.
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, demonstrations, prompts, rankings, users } from "../../db/schema";
import { rankingToPairs } from "./pairs";

export type Split = "train" | "test";

export interface DatasetFilter {
  projectId?: string;
  split?: Split;
}

export interface SftExample {
  promptId: string;
  prompt: string;
  completion: string;
  split: Split;
}

export interface RankedExample {
  rankingId: string;
  promptId: string;
  prompt: string;
  split: Split;
  /** The completions this ranking orders, in no particular order. */
  completions: { id: string; text: string }[];
  /** Groups of completion ids, best → worst; a group of several is a tie. */
  ranking: string[][];
  annotator: string | null;
  timeMs: number;
  flags: Record<string, string[]>;
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
  return where;
}

/** Submitted demonstrations (annotated or imported) as prompt → completion examples. */
export function sftExamples(db: Db, filter: DatasetFilter = {}): SftExample[] {
  return db
    .select({ promptId: prompts.id, prompt: prompts.text, completion: demonstrations.text, split: prompts.split })
    .from(demonstrations)
    .innerJoin(prompts, eq(demonstrations.promptId, prompts.id))
    .where(and(eq(demonstrations.status, "submitted"), ...promptWhere(filter)))
    .orderBy(asc(demonstrations.createdAt), asc(demonstrations.id))
    .all();
}

/**
 * Every usable ranking with its completion texts. `not_rankable` rankings are left out; several annotators'
 * rankings of the same completions each appear, so they all count.
 */
export function rankedExamples(db: Db, filter: DatasetFilter = {}): RankedExample[] {
  const rows = db
    .select({
      rankingId: rankings.id,
      promptId: prompts.id,
      prompt: prompts.text,
      split: prompts.split,
      ordering: rankings.ordering,
      annotator: users.email,
      timeMs: rankings.timeMs,
      flags: rankings.flags,
    })
    .from(rankings)
    .innerJoin(prompts, eq(rankings.promptId, prompts.id))
    .leftJoin(users, eq(rankings.userId, users.id))
    .where(and(eq(rankings.notRankable, false), ...promptWhere(filter)))
    .orderBy(asc(rankings.createdAt), asc(rankings.id))
    .all();

  const ids = [...new Set(rows.flatMap((r) => r.ordering.flat()))];
  const texts = new Map<string, string>();
  // SQLite caps bound parameters, so look the completions up in chunks.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const c of db.select({ id: completions.id, text: completions.text }).from(completions).where(inArray(completions.id, chunk)).all())
      texts.set(c.id, c.text);
  }

  return rows
    .filter((r) => r.ordering.flat().length >= 2)
    .map((r) => ({
      rankingId: r.rankingId,
      promptId: r.promptId,
      prompt: r.prompt,
      split: r.split,
      completions: r.ordering.flat().map((id) => ({ id, text: texts.get(id) ?? "" })),
      ranking: r.ordering,
      annotator: r.annotator ?? null,
      timeMs: r.timeMs,
      flags: r.flags,
    }));
}

/** One (chosen, rejected) row per pair derived from each ranking; ties give no pair. */
export function preferencePairs(db: Db, filter: DatasetFilter = {}): PreferencePairExample[] {
  return rankedExamples(db, filter).flatMap((ex) => {
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
  });
}
