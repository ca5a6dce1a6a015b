// Scripted judges for the proof: functions of a response's text that stand in for annotators. Each prefers one
// property the built-in base policy varies on, so rankings by the judge carry a learnable signal. The suite covers
// different kinds of preference (counts of words and of punctuation, a character-level ratio, a length band, lists,
// word choice, the position of a word, politeness markers and a topic), so the library's defaults are chosen on all
// of them at once rather than tuned to one (BENCHMARKS.md, issue 10).

export interface Judge {
  name: string;
  /** What the judge prefers, for the report. */
  prefers: string;
  score(response: string): number;
  /** A judge-score difference that is "clear" (RM accuracy is reported on pairs at least this far apart). */
  clearMargin: number;
  /**
   * The highest score the judge gives, where it has one: the report shows how far above the base's mean it lies, in
   * base standard deviations (the most any trainer could gain), so a judge whose ceiling is under the target shows.
   */
  best?: number;
}

const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

/** Count of words: prefers short answers (score = −words). */
export const conciseJudge: Judge = {
  name: "concise",
  prefers: "shorter responses (score = −words)",
  score: (response) => -wordsOf(response).length,
  clearMargin: 4,
};

/** Count of punctuation: lists and exclamations, scored as the number of ',' and '!' (capped at 5). */
export const livelyJudge: Judge = {
  name: "lively",
  prefers: "lists and exclamations (score = min(5, count of ',' and '!'))",
  score: (response) => Math.min(5, count(response, /[,!]/g)),
  clearMargin: 1,
  best: 5,
};

/** A character-level ratio: the share of letters that are vowels, in percent (a plainer or a denser wording). */
export const vowelsJudge: Judge = {
  name: "vowels",
  prefers: "a higher share of vowels among letters (score = 100 × vowels / letters)",
  score: (response) => {
    const letters = count(response, /[a-z]/gi);
    return letters ? (100 * count(response, /[aeiou]/gi)) / letters : 0;
  },
  clearMargin: 3,
  best: 100,
};

/**
 * A length band: answers of 26 to 34 words score 0, others lose a point per word outside the band. The band sits
 * above most of the base's answers (it writes 26–34 words 14% of the time; median 16) so that there is room to gain:
 * the first band, 12–20 words, held the base's median, half its answers already scored the maximum, and the best
 * possible gain was 0.71 base std, under the suite's 1-std target for every trainer (BENCHMARKS.md, run 7). 34 words
 * are about 43 tokens, inside the policies' 48-token responses.
 */
export const bandJudge: Judge = {
  name: "band",
  prefers: "26–34 words (score = −words outside the band)",
  score: (response) => {
    const n = wordsOf(response).length;
    return n < 26 ? n - 26 : n > 34 ? 34 - n : 0;
  },
  clearMargin: 3,
  best: 0,
};

/** Lists and structure: a list introduced by a colon, scored by its items (0 without a colon-led list). */
export const listJudge: Judge = {
  name: "list",
  prefers: "a colon-led list (score = 1 + its items after the colon, capped at 5; 0 without one)",
  score: (response) => {
    const at = response.indexOf(":");
    if (at < 0) return 0;
    const tail = response.slice(at + 1).split(/[.!?]/)[0]!;
    return Math.min(5, 1 + tail.split(/,| and /).filter((x) => x.trim()).length);
  },
  clearMargin: 2,
  best: 5,
};

/** Word choice: answers that address the reader (count of you/your, capped at 4). */
export const personalJudge: Judge = {
  name: "personal",
  prefers: "addressing the reader (score = min(4, count of you/your))",
  score: (response) => Math.min(4, count(response, /\byou(r|rs|rself)?\b/gi)),
  clearMargin: 1,
  best: 4,
};

const OPENING_WORDS = /^(sure|of course|great|happy|good|okay|absolutely)\b/i;

/** Position of a word: an answer that opens with an acknowledgement ("Sure!", "Of course."...) scores 2. */
export const openerJudge: Judge = {
  name: "opener",
  prefers: "opening with an acknowledgement such as 'Sure' or 'Of course' (score 2, else 0)",
  score: (response) => (OPENING_WORDS.test(response.trim()) ? 2 : 0),
  clearMargin: 2,
  best: 2,
};

const POLITE = /\b(please|thank|thanks|hope|help|glad|happy to|let me know|good luck|enjoy)\b/gi;

/** Politeness markers: "hope this helps", "let me know", "good luck", "please"... (count, capped at 3). */
export const politeJudge: Judge = {
  name: "polite",
  prefers: "politeness markers (score = min(3, count of please/thank/hope/help/glad/let me know/good luck/enjoy))",
  score: (response) => Math.min(3, count(response, POLITE)),
  clearMargin: 1,
  best: 3,
};

const FOOD = /\b(food|eat|eating|meal|meals|breakfast|lunch|dinner|snack|fruit|fruits|vegetables|soup|rice|pasta|bread|tea|coffee|water|cook|cooking|recipe|salad|eggs?|cheese|yogurt|oatmeal|apple|apples|banana|tomatoes|garlic|salt|oil|honey|milk|sugar|cake|cookies|kitchen)\b/gi;

/** A topic: prefers talk of food and cooking, whatever the prompt (count of food words, capped at 4). */
export const foodJudge: Judge = {
  name: "food",
  prefers: "talk of food and cooking (score = min(4, count of food words))",
  score: (response) => Math.min(4, count(response, FOOD)),
  clearMargin: 1,
  best: 4,
};

/** The suite, in the order the proof reports it. */
export const JUDGES: Record<string, Judge> = Object.fromEntries(
  [conciseJudge, livelyJudge, vowelsJudge, bandJudge, listJudge, personalJudge, openerJudge, politeJudge, foodJudge].map((j) => [j.name, j]),
);

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
