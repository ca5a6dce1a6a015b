// Pure ranking state: which rank (1..K) each completion holds, placing with swap or tie, and the submitted groups.

/** completion id → rank, 1 = best. Completions without an entry are not ranked yet. */
export type RankMap = Readonly<Record<string, number>>;

/**
 * Puts a completion at a rank. Without ties, a completion already there swaps into the moved one's old rank
 * (or becomes unranked); with ties allowed, both share the rank.
 */
export function placeAtRank(ranks: RankMap, id: string, rank: number, allowTies: boolean): RankMap {
  const next: Record<string, number> = { ...ranks };
  const previous = next[id];
  if (!allowTies) {
    for (const [other, r] of Object.entries(next)) {
      if (other === id || r !== rank) continue;
      if (previous === undefined) delete next[other];
      else next[other] = previous;
    }
  }
  next[id] = rank;
  return next;
}

export function clearRank(ranks: RankMap, id: string): RankMap {
  const next: Record<string, number> = { ...ranks };
  delete next[id];
  return next;
}

/** Completions at each rank 1..k, in the order they are shown. */
export function completionsAtRank(ranks: RankMap, ids: readonly string[], rank: number): string[] {
  return ids.filter((id) => ranks[id] === rank);
}

export function unranked(ranks: RankMap, ids: readonly string[]): string[] {
  return ids.filter((id) => ranks[id] === undefined);
}

export function isComplete(ranks: RankMap, ids: readonly string[]): boolean {
  return ids.length > 0 && ids.every((id) => ranks[id] !== undefined);
}

/** The ranking as submitted: groups of completion ids, best first; a group of several is a tie. */
export function toGroups(ranks: RankMap, ids: readonly string[]): string[][] {
  const distinct = [...new Set(ids.map((id) => ranks[id]).filter((r): r is number => r !== undefined))].sort((a, b) => a - b);
  return distinct.map((rank) => completionsAtRank(ranks, ids, rank));
}

/** Display letters (A, B, C, …) keep the model's identity hidden while giving each completion a name. */
export function letterFor(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `#${index + 1}`;
}
