// The arithmetic of label quality, with no database: Krippendorff's α (ordinal), agreement of one ranking with a
// reference (a leave-one-out consensus or a gold ranking), Wilson intervals and the reliability weight.
import { rankingToPairs } from "./pairs";

type Ordering = readonly (readonly string[])[];

/** Each completion's 1-based group position in a ranking: tied completions share their group's position. */
export function groupPositions(ordering: Ordering): Map<string, number> {
  const pos = new Map<string, number>();
  ordering.forEach((group, i) => {
    for (const id of group) pos.set(id, i + 1);
  });
  return pos;
}

/**
 * Krippendorff's α with the ordinal metric, accumulated unit by unit so that a large project never holds its units
 * in memory: the coincidence matrix is all that is kept (values are small integers, 1..K).
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": o_ck = Σ_u (pairs c–k in u)/(m_u − 1),
 * δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck.
 */
export class OrdinalAlpha {
  /** coincidences[c][k] for values c, k (1-based; index 0 unused). */
  private readonly o: number[][] = [];
  private units = 0;

  /** One unit's values from different annotators; units with fewer than two values are not pairable and add nothing. */
  addUnit(values: readonly number[]): void {
    const m = values.length;
    if (m < 2) return;
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const [c, nc] of counts)
      for (const [k, nk] of counts) {
        // Ordered pairs of values within the unit: a value never pairs with itself.
        const pairs = c === k ? nc * (nc - 1) : nc * nk;
        if (pairs) this.add(c, k, pairs / (m - 1));
      }
    this.units++;
  }

  /** Pairable units seen so far. */
  get unitCount(): number {
    return this.units;
  }

  /** α, or null when there is nothing to measure (no pairable unit, or every value the same so chance disagreement is 0). */
  alpha(): number | null {
    const size = this.o.length;
    const n = new Array<number>(size).fill(0);
    for (let c = 1; c < size; c++) for (let k = 1; k < size; k++) n[c]! += this.o[c]?.[k] ?? 0;
    const total = n.reduce((a, b) => a + b, 0);
    if (total <= 1) return null;
    const delta2 = (c: number, k: number): number => {
      const [lo, hi] = c < k ? [c, k] : [k, c];
      let s = 0;
      for (let g = lo; g <= hi; g++) s += n[g]!;
      return (s - (n[lo]! + n[hi]!) / 2) ** 2;
    };
    let observed = 0;
    let expected = 0;
    for (let c = 1; c < size; c++)
      for (let k = 1; k < size; k++) {
        if (c === k) continue;
        const d = delta2(c, k);
        observed += (this.o[c]?.[k] ?? 0) * d;
        expected += n[c]! * n[k]! * d;
      }
    if (expected === 0) return null;
    return 1 - ((total - 1) * observed) / expected;
  }

  private add(c: number, k: number, x: number): void {
    while (this.o.length <= Math.max(c, k)) this.o.push([]);
    const row = this.o[c]!;
    row[k] = (row[k] ?? 0) + x;
  }
}

/** Krippendorff's α (ordinal) of a whole table of units at once. */
export function krippendorffAlphaOrdinal(units: readonly (readonly number[])[]): number | null {
  const acc = new OrdinalAlpha();
  for (const u of units) acc.addUnit(u);
  return acc.alpha();
}

/** Each completion pair ordered strictly by a ranking, as "a\0b" → +1 when a is above b (a < b as strings), −1 otherwise. */
function pairSigns(ordering: Ordering): Map<string, 1 | -1> {
  const signs = new Map<string, 1 | -1>();
  for (const { chosen, rejected } of rankingToPairs(ordering))
    signs.set(chosen < rejected ? `${chosen}\u0000${rejected}` : `${rejected}\u0000${chosen}`, chosen < rejected ? 1 : -1);
  return signs;
}

export interface PairCount {
  /** Pairs ordered the same way. */
  agree: number;
  /** Pairs compared. */
  pairs: number;
}

/**
 * Agreement of a ranking with a consensus: over the pairs both order strictly (a tie on either side says nothing
 * about the pair), how many they order the same way.
 */
export function agreementWith(ordering: Ordering, reference: Ordering): PairCount {
  const mine = pairSigns(ordering);
  let agree = 0;
  let pairs = 0;
  for (const [key, sign] of pairSigns(reference)) {
    const s = mine.get(key);
    if (s === undefined) continue;
    pairs++;
    if (s === sign) agree++;
  }
  return { agree, pairs };
}

/**
 * Agreement of a ranking with a gold ranking: every gold pair (completions in different gold groups) that the
 * annotator ranked counts, and it agrees only when they ordered it the same way; tying a gold pair is a miss.
 */
export function goldAgreement(ordering: Ordering, gold: Ordering): PairCount {
  const pos = groupPositions(ordering);
  let agree = 0;
  let pairs = 0;
  for (const { chosen, rejected } of rankingToPairs(gold)) {
    const a = pos.get(chosen);
    const b = pos.get(rejected);
    if (a === undefined || b === undefined) continue;
    pairs++;
    if (a < b) agree++;
  }
  return { agree, pairs };
}

/** The Wilson score interval for k successes in n trials (95% by default); null when n = 0. */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): { low: number; high: number } | null {
  if (n === 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The weight an annotator's pairs carry in exports: the agreement figures combined, namely the posterior mean of
 * their pair accuracy (gold pairs and leave-one-out consensus pairs pooled) under a Beta(3, 1) prior. The prior
 * trusts an annotator nobody has checked yet like a fairly careful one (0.75); evidence moves it from there, so a
 * careful annotator nears 1 and one who reverses everything nears 0.
 */
export const WEIGHT_PRIOR = { agree: 3, disagree: 1 } as const;
export function reliabilityWeight(checks: PairCount): number {
  return (checks.agree + WEIGHT_PRIOR.agree) / (checks.pairs + WEIGHT_PRIOR.agree + WEIGHT_PRIOR.disagree);
}
