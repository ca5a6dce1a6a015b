// How win rates and ratings read on the page: one formatting for the leaderboard and the model page.

export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

export const percentInterval = (low: number, high: number) => `${percent(low)} – ${percent(high)}`;

/** What the numbers mean, said once under every table that shows them. */
export const WIN_RATE_METHOD =
  "Win rate = (wins + ties/2) / comparisons, with a 95% Wilson interval. A comparison is one pair of completions by two different models in one human ranking.";

export const RATING_METHOD =
  "Rating: Bradley–Terry log-strength fitted by Newton's method (ties count half), on an Elo-like scale 1000 + 400·log10(e)·θ, with a 95% interval from the Hessian.";
