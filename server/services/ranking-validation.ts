// Checks a submitted ranking against what the annotator was shown and what the project allows; pure, no DB.
import { badRequest } from "./errors";

export interface RankingSubmission {
  /** Groups of completion ids, best first; a group of several is a tie. */
  ranking: string[][];
  notRankable?: boolean;
  notRankableReason?: string | null;
  flags?: Record<string, string[]>;
  ratings?: Record<string, number>;
  /** A one-line reason for the ranking. */
  rationale?: string | null;
}

/** A rationale is one line: long enough for a reason, short enough to read in review. */
export const MAX_RATIONALE_CHARS = 500;

export interface RankingRules {
  /** The completion ids shown on this assignment. */
  shown: readonly string[];
  allowTies: boolean;
  /** The flags the project offers. */
  flagSet: readonly string[];
  /** Likert points; 0 means ratings are off. */
  likertScale: number;
  /** The project asks for a one-line reason with each ranking. */
  requireRationale?: boolean;
}

export interface ValidRanking {
  ordering: string[][];
  notRankable: boolean;
  notRankableReason: string | null;
  flags: Record<string, string[]>;
  ratings: Record<string, number>;
  rationale: string | null;
}

/** Returns the ranking as it will be stored, or throws a BAD_REQUEST ServiceError that says what to fix. */
export function validateRanking(input: RankingSubmission, rules: RankingRules): ValidRanking {
  const shown = new Set(rules.shown);
  const flags = checkFlags(input.flags ?? {}, shown, rules.flagSet);
  const ratings = checkRatings(input.ratings ?? {}, shown, rules.likertScale);
  const rationale = input.rationale?.replace(/\s+/g, " ").trim() || null;
  if (rationale && rationale.length > MAX_RATIONALE_CHARS) throw badRequest(`Keep the reason to one line of at most ${MAX_RATIONALE_CHARS} characters.`);

  if (input.notRankable) {
    const reason = input.notRankableReason?.trim();
    if (!reason) throw badRequest("Say why these completions cannot be ranked.");
    if (input.ranking.some((g) => g.length > 0)) throw badRequest("A task marked as not rankable takes no ranking; clear the ranking or untick 'cannot rank'.");
    return { ordering: [], notRankable: true, notRankableReason: reason, flags, ratings, rationale };
  }

  const seen = new Set<string>();
  for (const group of input.ranking) {
    if (group.length === 0) throw badRequest("The ranking has an empty group.");
    if (group.length > 1 && !rules.allowTies) throw badRequest("This project does not allow ties: give each completion its own rank.");
    for (const id of group) {
      if (!shown.has(id)) throw badRequest("The ranking names a completion that was not shown on this task.");
      if (seen.has(id)) throw badRequest("The ranking lists a completion more than once.");
      seen.add(id);
    }
  }
  if (seen.size !== shown.size)
    throw badRequest(`Rank all ${shown.size} completions (${shown.size - seen.size} still unranked).`);
  if (input.ranking.length < 2) throw badRequest("A ranking where every completion is tied says nothing; mark it 'cannot rank' instead.");
  if (rules.requireRationale && !rationale) throw badRequest("This project asks for a one-line reason with each ranking: say why the best one is best.");
  return { ordering: input.ranking.map((g) => [...g]), notRankable: false, notRankableReason: null, flags, ratings, rationale };
}

function checkFlags(flags: Record<string, string[]>, shown: Set<string>, flagSet: readonly string[]): Record<string, string[]> {
  const allowed = new Set(flagSet);
  const out: Record<string, string[]> = {};
  for (const [id, list] of Object.entries(flags)) {
    if (!shown.has(id)) throw badRequest("A flag names a completion that was not shown on this task.");
    for (const f of list) if (!allowed.has(f)) throw badRequest(`'${f}' is not one of this project's flags (${flagSet.join(", ") || "none"}).`);
    const unique = [...new Set(list)];
    if (unique.length) out[id] = unique;
  }
  return out;
}

function checkRatings(ratings: Record<string, number>, shown: Set<string>, scale: number): Record<string, number> {
  const entries = Object.entries(ratings);
  if (entries.length && scale === 0) throw badRequest("This project does not use ratings.");
  for (const [id, value] of entries) {
    if (!shown.has(id)) throw badRequest("A rating names a completion that was not shown on this task.");
    if (!Number.isInteger(value) || value < 1 || value > scale) throw badRequest(`Ratings go from 1 to ${scale} (got ${value}).`);
  }
  return Object.fromEntries(entries);
}
