// Rankings are stored raw (groups best → worst, a group being a tie); preference pairs are derived here, once.

export interface PreferencePair {
  chosen: string;
  rejected: string;
}

/**
 * Every pair of completions that sit in different groups, the better one first: C(K,2) pairs for a strict
 * ranking of K, fewer with ties (items in the same group give no pair).
 */
export function rankingToPairs(ordering: readonly (readonly string[])[]): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  forEachPair(ordering, (chosen, rejected) => pairs.push({ chosen, rejected }));
  return pairs;
}

/** The same pairs in the same order, handed to `visit` one at a time: exports walk millions without an object each. */
export function forEachPair(ordering: readonly (readonly string[])[], visit: (chosen: string, rejected: string) => void): void {
  for (let i = 0; i < ordering.length; i++)
    for (let j = i + 1; j < ordering.length; j++) for (const chosen of ordering[i]!) for (const rejected of ordering[j]!) visit(chosen, rejected);
}

/** The number of pairs a ranking yields: C(K,2) minus the pairs inside each tie group. */
export function pairCount(ordering: readonly (readonly string[])[]): number {
  const k = ordering.reduce((n, g) => n + g.length, 0);
  return (k * (k - 1)) / 2 - ordering.reduce((n, g) => n + (g.length * (g.length - 1)) / 2, 0);
}
