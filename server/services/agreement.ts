// Inter-annotator agreement and consensus, computed from raw rankings of the same completions.
import { rankingToPairs } from "./pairs";

/**
 * Pairwise agreement of several rankings of one item: for each completion pair that at least two annotators
 * ordered strictly, the share of them on the majority side; averaged over those pairs. 1 = all agree,
 * 0.5 = a coin flip. Null when no pair was ordered by two annotators (e.g. a single ranking).
 */
export function pairwiseAgreement(orderings: readonly (readonly string[])[][]): number | null {
  const votes = new Map<string, { ab: number; ba: number }>();
  for (const ordering of orderings)
    for (const { chosen, rejected } of rankingToPairs(ordering)) {
      const [a, b] = chosen < rejected ? [chosen, rejected] : [rejected, chosen];
      const key = `${a}\u0000${b}`;
      const v = votes.get(key) ?? { ab: 0, ba: 0 };
      if (a === chosen) v.ab++;
      else v.ba++;
      votes.set(key, v);
    }
  let sum = 0;
  let n = 0;
  for (const { ab, ba } of votes.values())
    if (ab + ba >= 2) {
      sum += Math.max(ab, ba) / (ab + ba);
      n++;
    }
  return n ? sum / n : null;
}

/** Consensus order by mean rank (Borda): completions in the same group share their group's rank. */
export function consensusRanking(orderings: readonly (readonly string[])[][]): string[][] {
  const total = new Map<string, { sum: number; n: number }>();
  for (const ordering of orderings) {
    let rank = 0;
    for (const group of ordering) {
      const mid = rank + (group.length - 1) / 2;
      for (const id of group) {
        const t = total.get(id) ?? { sum: 0, n: 0 };
        t.sum += mid;
        t.n++;
        total.set(id, t);
      }
      rank += group.length;
    }
  }
  const byMean = new Map<number, string[]>();
  for (const [id, { sum, n }] of total) {
    const mean = Math.round((sum / n) * 1e6) / 1e6;
    byMean.set(mean, [...(byMean.get(mean) ?? []), id]);
  }
  return [...byMean.entries()].sort((x, y) => x[0] - y[0]).map(([, ids]) => ids.sort());
}
