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
  for (let i = 0; i < ordering.length; i++)
    for (let j = i + 1; j < ordering.length; j++)
      for (const chosen of ordering[i]!) for (const rejected of ordering[j]!) pairs.push({ chosen, rejected });
  return pairs;
}

/** The number of pairs a ranking yields: C(K,2) minus the pairs inside each tie group. */
export function pairCount(ordering: readonly (readonly string[])[]): number {
  const k = ordering.reduce((n, g) => n + g.length, 0);
  return (k * (k - 1)) / 2 - ordering.reduce((n, g) => n + (g.length * (g.length - 1)) / 2, 0);
}
