// Scripted judges for the proof: functions of a response's text that stand in for annotators. Each prefers one
// property the built-in base policy varies on, so rankings by the judge carry a learnable signal. The proof runs
// concise and enthusiastic by default; lively and personal are harder (a sparse count that the policy can only
// raise with longer answers, which the no-EOS penalty and the per-token KL charge for), see BENCHMARKS.md.

export interface Judge {
  name: string;
  /** What the judge prefers, for the report. */
  prefers: string;
  score(response: string): number;
  /** A judge-score difference that is "clear" (RM accuracy is reported on pairs at least this far apart). */
  clearMargin: number;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Prefers short answers: the score is minus the word count. */
export const conciseJudge: Judge = {
  name: "concise",
  prefers: "shorter responses (score = −words)",
  score: (response) => -words(response),
  clearMargin: 4,
};

const UPBEAT_WORDS = /\b(great|good|happy|enjoy|fun|love|nice|glad|wonderful|luck)\b/gi;

/**
 * Prefers an upbeat tone: exclamation marks plus upbeat words ("great", "enjoy", "good luck"...), capped at 5 so it
 * cannot be farmed forever. Counting both keeps the signal dense enough to rank most K=4 sets.
 */
export const enthusiasticJudge: Judge = {
  name: "enthusiastic",
  prefers: "an upbeat tone (score = min(5, count of '!' and upbeat words))",
  score: (response) => Math.min(5, (response.match(/!/g) ?? []).length + (response.match(UPBEAT_WORDS) ?? []).length),
  clearMargin: 1,
};

/** Prefers answers that address the reader: the score is the number of "you"/"your" words, capped at 4. */
export const personalJudge: Judge = {
  name: "personal",
  prefers: "addressing the reader (score = min(4, count of you/your))",
  score: (response) => Math.min(4, (response.match(/\byou(r|rs|rself)?\b/gi) ?? []).length),
  clearMargin: 1,
};

/**
 * Prefers lively answers: lists and exclamations, scored as the number of ',' and '!' (capped at 5). Single-byte
 * marks keep the signal dense in the base's samples and visible to a small byte-level reward model.
 */
export const livelyJudge: Judge = {
  name: "lively",
  prefers: "lists and exclamations (score = min(5, count of ',' and '!'))",
  score: (response) => Math.min(5, (response.match(/[,!]/g) ?? []).length),
  clearMargin: 1,
};

export const JUDGES: Record<string, Judge> = { concise: conciseJudge, lively: livelyJudge, enthusiastic: enthusiasticJudge, personal: personalJudge };

/**
 * An annotator simulated from a judge: sorts completions with a comparator that answers wrongly with probability
 * `flip` (10% in the proof), so the labels carry realistic noise. Equal judge scores become a tie group.
 * Returns groups of indices, best → worst (the rankings import format).
 */
export function noisyRanking(scores: readonly number[], flip: number, random: () => number): number[][] {
  // Equal scores form one tie group; the groups are then ordered by a noisy insertion sort.
  const levels = [...new Set(scores)];
  const groups = levels.map((l) => scores.map((s, i) => (s === l ? i : -1)).filter((i) => i >= 0));
  const better = (a: number[], b: number[]) => {
    const truth = scores[a[0]!]! > scores[b[0]!]!;
    return random() < flip ? !truth : truth;
  };
  const ordered: number[][] = [];
  for (const g of groups) {
    let at = ordered.length;
    while (at > 0 && better(g, ordered[at - 1]!)) at--;
    ordered.splice(at, 0, g);
  }
  return ordered;
}
