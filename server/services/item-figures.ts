// The per-item arithmetic of a quality report, tuned for a pass over 100,000 rankings: an item's Krippendorff units,
// pairwise agreement and leave-one-out consensus agreement on small arrays, and Likert counts read from stored text.
import type { PairCount } from "./reliability";

/**
 * Adds the values of a stored ratings object ({"completion id": rating, …}) to `counts`. Read as text, not with
 * JSON.parse: objects keyed by random ids are slow to build (about 8 µs each, most of a 100,000-ranking report),
 * and the stored form is always ours: id keys without colons, integer values.
 */
export function countRatings(json: string, counts: Record<string, number>): void {
  for (let i = json.indexOf(":"); i !== -1; i = json.indexOf(":", i + 1)) {
    let end = i + 1;
    while (end < json.length && json.charCodeAt(end) !== 44 /* , */ && json.charCodeAt(end) !== 125 /* } */) end++;
    const value = json.slice(i + 1, end).trim();
    counts[value] = (counts[value] ?? 0) + 1;
    i = end;
  }
}

export interface ItemFigures {
  /** Krippendorff units: per completion, the group position (1-based) each annotator gave it. */
  units: number[][];
  /** The item's pairwise agreement (agreement.ts pairwiseAgreement), or null. */
  agreement: number | null;
  /** Per ranking (in the order given): agreement with the Borda consensus of the others (agreement.ts consensusRanking). */
  consensus: PairCount[];
}

/**
 * Every per-item figure in one pass over small arrays: the same numbers as groupPositions, pairwiseAgreement and
 * agreementWith(consensusRanking(others)) give (a test holds them equal), without their maps and string keys,
 * because a project of 100,000 rankings runs this for every item.
 */
export function itemFigures(orderings: readonly (readonly (readonly string[])[])[]): ItemFigures {
  const ids = orderings[0]!.flat();
  const index = new Map(ids.map((id, i) => [id, i]));
  const k = ids.length;
  const m = orderings.length;
  // group[a][c]: 1-based group position; mid[a][c]: Borda's mean 0-based rank of the group (ties share it).
  const group = orderings.map(() => new Array<number>(k).fill(0));
  const mid = orderings.map(() => new Array<number>(k).fill(0));
  const sum = new Array<number>(k).fill(0);
  orderings.forEach((ordering, a) => {
    let rank = 0;
    ordering.forEach((g, gi) => {
      const centre = rank + (g.length - 1) / 2;
      for (const id of g) {
        const c = index.get(id)!;
        group[a]![c] = gi + 1;
        mid[a]![c] = centre;
        sum[c]! += centre;
      }
      rank += g.length;
    });
  });
  const units = ids.map((_, c) => group.map((g) => g[c]!));
  let agreementSum = 0;
  let agreementPairs = 0;
  const consensus = orderings.map(() => ({ agree: 0, pairs: 0 }));
  // consensusRanking rounds mean ranks to 1e-6 before grouping ties; the same rounding decides a tie here.
  const looMean = (a: number, c: number) => Math.round(((sum[c]! - mid[a]![c]!) / (m - 1)) * 1e6) / 1e6;
  for (let c = 0; c < k; c++)
    for (let d = c + 1; d < k; d++) {
      let above = 0;
      let below = 0;
      for (let a = 0; a < m; a++) {
        const diff = group[a]![c]! - group[a]![d]!;
        if (diff < 0) above++;
        else if (diff > 0) below++;
      }
      if (above + below >= 2) {
        agreementSum += Math.max(above, below) / (above + below);
        agreementPairs++;
      }
      for (let a = 0; a < m; a++) {
        const mine = group[a]![c]! - group[a]![d]!;
        if (mine === 0) continue;
        const theirs = looMean(a, c) - looMean(a, d);
        if (theirs === 0) continue;
        consensus[a]!.pairs++;
        if (mine < 0 === theirs < 0) consensus[a]!.agree++;
      }
    }
  return { units, agreement: agreementPairs ? agreementSum / agreementPairs : null, consensus };
}
