// A project's label quality, read in one pass over its rankings: Krippendorff's α and pairwise agreement on items
// that two or more annotators ranked, and per annotator their agreement with the leave-one-out consensus, gold
// accuracy, reliability weight, median time, "cannot rank" share and flag rate (what `rlhf stats quality` prints
// and the research page shows).
import type { Db } from "../../db/index";
import { consensusRanking, pairwiseAgreement } from "./agreement";
import { badRequest } from "./errors";
import { prepared } from "./prepared";
import { agreementWith, goldAgreement, groupPositions, OrdinalAlpha, reliabilityWeight, wilsonInterval, type PairCount } from "./reliability";
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

/** An annotator's view of one item, as read. */
interface RankingRow {
  user_id: string;
  prompt_id: string;
  ordering: string;
  not_rankable: number;
  time_ms: number;
  flags: string;
  ratings: string;
  created_at: number;
}

const TIME_BUCKETS_S = [10, 30, 60, 120, 300, 600];

/** An item is one prompt with one set of completions; this key names it (prompt id and the sorted completion ids). */
export function itemKeyOf(promptId: string, ordering: readonly (readonly string[])[]): string {
  return `${promptId}|${ordering.flat().sort().join(",")}`;
}

/** The quality report of a project's annotator rankings (imports without an annotator cannot be told apart, so they are left out). */
export function qualityReport(db: Db, projectId: string): QualityReport {
  const rows = prepared(db, "quality.rankings", (d) =>
    d.$client.prepare(
      `select r.user_id, r.prompt_id, r.ordering, r.not_rankable, r.time_ms, r.flags, r.ratings, r.created_at
       from rankings r join prompts p on p.id = r.prompt_id
       where p.project_id = ? and r.user_id is not null
       order by r.created_at, r.id`,
    ),
  ).all(projectId) as RankingRow[];
  const emails = new Map(
    (prepared(db, "quality.users", (d) =>
      d.$client.prepare("select distinct u.id, u.email from users u join rankings r on r.user_id = u.id join prompts p on p.id = r.prompt_id where p.project_id = ?"),
    ).all(projectId) as { id: string; email: string }[]).map((u) => [u.id, u.email]),
  );
  const gold = new Map(
    (prepared(db, "quality.gold", (d) => d.$client.prepare("select prompt_id, ordering from gold_items where project_id = ?")).all(projectId) as {
      prompt_id: string;
      ordering: string;
    }[]).map((g) => [g.prompt_id, JSON.parse(g.ordering) as string[][]]),
  );

  type PerAnnotator = { rankings: number; usable: number; flagged: number; cannot: number; times: number[]; gold: PairCount; cons: PairCount };
  const per = new Map<string, PerAnnotator>();
  const annotator = (id: string): PerAnnotator => {
    let a = per.get(id);
    if (!a) per.set(id, (a = { rankings: 0, usable: 0, flagged: 0, cannot: 0, times: [], gold: { agree: 0, pairs: 0 }, cons: { agree: 0, pairs: 0 } }));
    return a;
  };
  // Each item's latest usable ranking per annotator (a later ranking of theirs replaces an earlier one).
  const items = new Map<string, { users: Map<string, string[][]>; last: number }>();
  const flagCounts: Record<string, number> = {};
  const likertCounts: Record<string, number> = {};
  const timeCounts = new Array<number>(TIME_BUCKETS_S.length + 1).fill(0);

  for (const r of rows) {
    const a = annotator(r.user_id);
    a.rankings++;
    a.times.push(r.time_ms);
    const seconds = r.time_ms / 1000;
    const bucket = TIME_BUCKETS_S.findIndex((b) => seconds <= b);
    timeCounts[bucket === -1 ? TIME_BUCKETS_S.length : bucket]!++;
    if (r.not_rankable) {
      a.cannot++;
      continue;
    }
    const ordering = JSON.parse(r.ordering) as string[][];
    if (ordering.flat().length < 2) continue;
    a.usable++;
    // Flags and ratings are '{}' on most rankings: skip the parse there.
    if (r.flags.length > 2) {
      const flags = JSON.parse(r.flags) as Record<string, string[]>;
      let any = false;
      for (const f of Object.values(flags))
        for (const name of f) {
          flagCounts[name] = (flagCounts[name] ?? 0) + 1;
          any = true;
        }
      if (any) a.flagged++;
    }
    if (r.ratings.length > 2) for (const v of Object.values(JSON.parse(r.ratings) as Record<string, number>)) likertCounts[v] = (likertCounts[v] ?? 0) + 1;
    const g = gold.get(r.prompt_id);
    if (g) {
      const c = goldAgreement(ordering, g);
      a.gold.agree += c.agree;
      a.gold.pairs += c.pairs;
    }
    const key = itemKeyOf(r.prompt_id, ordering);
    let item = items.get(key);
    if (!item) items.set(key, (item = { users: new Map(), last: 0 }));
    item.users.set(r.user_id, ordering);
    item.last = Math.max(item.last, r.created_at);
  }

  const alpha = new OrdinalAlpha();
  let agreementSum = 0;
  let agreementItems = 0;
  let overlapping = 0;
  const byDay = new Map<string, { alpha: OrdinalAlpha; sum: number; n: number; items: number }>();
  for (const item of items.values()) {
    if (item.users.size < 2) continue;
    overlapping++;
    const entries = [...item.users.entries()];
    const orderings = entries.map(([, o]) => o);
    const day = new Date(item.last).toISOString().slice(0, 10);
    let d = byDay.get(day);
    if (!d) byDay.set(day, (d = { alpha: new OrdinalAlpha(), sum: 0, n: 0, items: 0 }));
    d.items++;
    // Units: one completion of the item, its value the group position each annotator gave it.
    const positions = orderings.map(groupPositions);
    for (const id of orderings[0]!.flat()) {
      const values: number[] = [];
      for (const p of positions) {
        const v = p.get(id);
        if (v !== undefined) values.push(v);
      }
      alpha.addUnit(values);
      d.alpha.addUnit(values);
    }
    const agreement = pairwiseAgreement(orderings);
    if (agreement !== null) {
      agreementSum += agreement;
      agreementItems++;
      d.sum += agreement;
      d.n++;
    }
    for (let i = 0; i < entries.length; i++) {
      const others = orderings.filter((_, j) => j !== i);
      const c = agreementWith(entries[i]![1], consensusRanking(others));
      const a = annotator(entries[i]![0]);
      a.cons.agree += c.agree;
      a.cons.pairs += c.pairs;
    }
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
