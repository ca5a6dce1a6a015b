// A project's label quality, read in one pass over its rankings: Krippendorff's α and pairwise agreement on items
// that two or more annotators ranked, and per annotator their agreement with the leave-one-out consensus, gold
// accuracy, reliability weight, median time, "cannot rank" share and flag rate (what `rlhf stats quality` prints
// and the research page shows).
import type { Db } from "../../db/index";
import { jsonList, sqlStatement } from "../../db/statements";
import { badRequest } from "./errors";
import { prepared } from "./prepared";
import { countRatings, itemFigures } from "./item-figures";
import { goldAgreement, OrdinalAlpha, reliabilityWeight, wilsonInterval, type PairCount } from "./reliability";
import { median } from "./stats";

export const NO_OVERLAP_MESSAGE = "no items were ranked by two annotators yet";

export interface AnnotatorQuality {
  userId: string;
  email: string;
  /** Every ranking they submitted in the project, "cannot rank" included. */
  rankings: number;
  goldAccuracy: number | null;
  goldPairs: number;
  goldInterval: { low: number; high: number } | null;
  /** Agreement with the leave-one-out consensus of the other annotators of the same items. */
  agreement: number | null;
  agreementPairs: number;
  weight: number;
  medianTimeMs: number | null;
  cannotRankShare: number;
  /** Share of their usable rankings with at least one completion flagged. */
  flagRate: number;
}

export interface QualityReport {
  projectId: string;
  krippendorffAlpha: number | null;
  /** Mean over overlapping items of each item's pairwise agreement. */
  pairwiseAgreement: number | null;
  itemsWithOverlap: number;
  annotators: AnnotatorQuality[];
  /** α and agreement per UTC day of the items' latest ranking, oldest first. */
  overTime: { day: string; items: number; alpha: number | null; agreement: number | null }[];
  /** How often each flag was set, over all usable rankings. */
  flagCounts: Record<string, number>;
  /** Likert ratings given, by value. */
  likertCounts: Record<string, number>;
  /** Times per ranking, bucketed (upper bound in seconds → count). */
  timeBuckets: { upToSeconds: number | null; count: number }[];
}

/** What a caller of qualityReport sees of each item (review.ts finds the ones to review this way). */
export interface VisitedItem {
  promptId: string;
  completionIds: string[];
  /** The latest usable ranking of each annotator (user id → ordering). */
  users: ReadonlyMap<string, string[][]>;
  agreement: number | null;
  gold: string[][] | null;
}

/**
 * One ranking as read, a plain array (raw mode: no object per row, which a 100,000-row read feels). JSON comes as
 * text on both databases; "cannot rank" as 0/1 from SQLite and a boolean from PostgreSQL (read only for truth).
 */
type RankingRow = [userId: string, promptId: string, ordering: string, notRankable: number | boolean, timeMs: number, flags: string, ratings: string, createdAt: number];

/** One item's rankings: the latest usable ranking per annotator, and the completions that make the item. */
interface Item {
  completionIds: Set<string>;
  users: Map<string, string[][]>;
  at: Map<string, number>;
  last: number;
}

const TIME_BUCKETS_S = [10, 30, 60, 120, 300, 600];

/** An item is one prompt with one set of completions; this key names it (prompt id and the sorted completion ids). */
export function itemKeyOf(promptId: string, ordering: readonly (readonly string[])[]): string {
  return `${promptId}|${ordering.flat().sort().join(",")}`;
}

/** The item a ranking belongs to: its prompt's item with exactly these completions, made when new. */
function itemFor(byPrompt: Map<string, Item[]>, promptId: string, ids: readonly string[]): Item {
  let list = byPrompt.get(promptId);
  if (!list) byPrompt.set(promptId, (list = []));
  let item = list.find((it) => it.completionIds.size === ids.length && ids.every((id) => it.completionIds.has(id)));
  if (!item) list.push((item = { completionIds: new Set(ids), users: new Map(), at: new Map(), last: 0 }));
  return item;
}

/** The quality report of a project's annotator rankings (imports without an annotator cannot be told apart, so they are left out). */
export async function qualityReport(db: Db, projectId: string, visit?: (item: VisitedItem) => void): Promise<QualityReport> {
  const rows = (await prepared(db, "quality.rankings", (d) =>
    sqlStatement(
      d,
      `select r.user_id, r.prompt_id, r.ordering, r.not_rankable, r.time_ms, r.flags, r.ratings, r.created_at
       from rankings r join prompts p on p.id = r.prompt_id
       where p.project_id = @projectId and r.user_id is not null`,
    ),
  ).values({ projectId })) as RankingRow[];
  const gold = new Map(
    (await prepared(db, "quality.gold", (d) =>
      sqlStatement<{ prompt_id: string; ordering: string }>(d, "select prompt_id, ordering from gold_items where project_id = @projectId"),
    ).all({ projectId })).map((g) => [g.prompt_id, JSON.parse(g.ordering) as string[][]]),
  );

  type PerAnnotator = { rankings: number; usable: number; flagged: number; cannot: number; times: number[]; gold: PairCount; cons: PairCount };
  const per = new Map<string, PerAnnotator>();
  const annotator = (id: string): PerAnnotator => {
    let a = per.get(id);
    if (!a) per.set(id, (a = { rankings: 0, usable: 0, flagged: 0, cannot: 0, times: [], gold: { agree: 0, pairs: 0 }, cons: { agree: 0, pairs: 0 } }));
    return a;
  };
  // Items by prompt (nearly always one per prompt); each keeps its annotators' latest usable rankings.
  const itemsByPrompt = new Map<string, Item[]>();
  const flagCounts: Record<string, number> = {};
  const likertCounts: Record<string, number> = {};
  const timeCounts = new Array<number>(TIME_BUCKETS_S.length + 1).fill(0);

  for (const [userId, promptId, orderingJson, notRankable, timeMs, flagsJson, ratingsJson, createdAt] of rows) {
    const a = annotator(userId);
    a.rankings++;
    a.times.push(timeMs);
    const seconds = timeMs / 1000;
    let bucket = 0;
    while (bucket < TIME_BUCKETS_S.length && seconds > TIME_BUCKETS_S[bucket]!) bucket++;
    timeCounts[bucket]!++;
    if (notRankable) {
      a.cannot++;
      continue;
    }
    const ordering = JSON.parse(orderingJson) as string[][];
    const ids = ordering.flat();
    if (ids.length < 2) continue;
    a.usable++;
    // Flags and ratings are '{}' on most rankings: skip the parse there.
    if (flagsJson.length > 2) {
      const flags = JSON.parse(flagsJson) as Record<string, string[]>;
      let any = false;
      for (const f of Object.values(flags))
        for (const name of f) {
          flagCounts[name] = (flagCounts[name] ?? 0) + 1;
          any = true;
        }
      if (any) a.flagged++;
    }
    if (ratingsJson.length > 2) countRatings(ratingsJson, likertCounts);
    const g = gold.get(promptId);
    if (g) {
      const c = goldAgreement(ordering, g);
      a.gold.agree += c.agree;
      a.gold.pairs += c.pairs;
    }
    const item = itemFor(itemsByPrompt, promptId, ids);
    if ((item.at.get(userId) ?? -Infinity) <= createdAt) {
      item.users.set(userId, ordering);
      item.at.set(userId, createdAt);
    }
    item.last = Math.max(item.last, createdAt);
  }
  const emails = new Map(
    (await prepared(db, "quality.users", (d) =>
      sqlStatement<{ id: string; email: string }>(d, `select id, email from users where id in (${jsonList(d, "ids")})`),
    ).all({ ids: JSON.stringify([...per.keys()]) })).map((u) => [u.id, u.email]),
  );

  const alpha = new OrdinalAlpha();
  let agreementSum = 0;
  let agreementItems = 0;
  let overlapping = 0;
  const byDay = new Map<string, { alpha: OrdinalAlpha; sum: number; n: number; items: number }>();
  for (const [promptId, list] of itemsByPrompt)
    for (const item of list) {
      if (item.users.size < 2) {
        visit?.({ promptId, completionIds: [...item.completionIds], users: item.users, agreement: null, gold: gold.get(promptId) ?? null });
        continue;
      }
      overlapping++;
      const userIds = [...item.users.keys()];
      const figures = itemFigures([...item.users.values()]);
      const day = new Date(item.last).toISOString().slice(0, 10);
      let d = byDay.get(day);
      if (!d) byDay.set(day, (d = { alpha: new OrdinalAlpha(), sum: 0, n: 0, items: 0 }));
      d.items++;
      for (const values of figures.units) {
        alpha.addUnit(values);
        d.alpha.addUnit(values);
      }
      if (figures.agreement !== null) {
        agreementSum += figures.agreement;
        agreementItems++;
        d.sum += figures.agreement;
        d.n++;
      }
      figures.consensus.forEach((c, i) => {
        const a = annotator(userIds[i]!);
        a.cons.agree += c.agree;
        a.cons.pairs += c.pairs;
      });
      visit?.({ promptId, completionIds: [...item.completionIds], users: item.users, agreement: figures.agreement, gold: gold.get(promptId) ?? null });
    }

  const annotators: AnnotatorQuality[] = [...per.entries()]
    .map(([userId, a]) => ({
      userId,
      email: emails.get(userId) ?? userId,
      rankings: a.rankings,
      goldAccuracy: a.gold.pairs ? a.gold.agree / a.gold.pairs : null,
      goldPairs: a.gold.pairs,
      goldInterval: wilsonInterval(a.gold.agree, a.gold.pairs),
      agreement: a.cons.pairs ? a.cons.agree / a.cons.pairs : null,
      agreementPairs: a.cons.pairs,
      weight: reliabilityWeight({ agree: a.gold.agree + a.cons.agree, pairs: a.gold.pairs + a.cons.pairs }),
      medianTimeMs: median(a.times),
      cannotRankShare: a.rankings ? a.cannot / a.rankings : 0,
      flagRate: a.usable ? a.flagged / a.usable : 0,
    }))
    .sort((x, y) => x.email.localeCompare(y.email));

  return {
    projectId,
    krippendorffAlpha: alpha.alpha(),
    pairwiseAgreement: agreementItems ? agreementSum / agreementItems : null,
    itemsWithOverlap: overlapping,
    annotators,
    overTime: [...byDay.entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([day, d]) => ({ day, items: d.items, alpha: d.alpha.alpha(), agreement: d.n ? d.sum / d.n : null })),
    flagCounts,
    likertCounts,
    timeBuckets: timeCounts.map((count, i) => ({ upToSeconds: TIME_BUCKETS_S[i] ?? null, count })),
  };
}

/** The report, or the one-line error a user sees when no item has two annotators yet. */
export function requireOverlap(report: QualityReport): QualityReport {
  if (report.itemsWithOverlap === 0) throw badRequest(NO_OVERLAP_MESSAGE);
  return report;
}

/** Each annotator's reliability weight by email (exports' `--weights`). */
export function annotatorWeights(report: QualityReport): Map<string, number> {
  return new Map(report.annotators.map((a) => [a.email, a.weight]));
}
