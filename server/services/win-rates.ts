// The math of "is this model better?": head-to-head counts from rankings, win rates with Wilson intervals, and a
// Bradley–Terry rating per model with Hessian-based intervals. Plain numbers in, plain numbers out (no database).

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** One ranking as stored (groups of completion ids, best first) and the model that wrote each completion. */
export interface RankingOfModels {
  ordering: string[][];
  modelOf: (completionId: string) => string | null;
}

/** How `model` fared against `against`, one comparison per pair of their completions that met in a ranking. */
export interface HeadToHead {
  model: string;
  against: string;
  wins: number;
  losses: number;
  ties: number;
}

/**
 * Every pair of completions from two different (named) models in one ranking is one comparison: the one in the
 * better group wins, the same group is a tie. Completions of the same model, or of no known model, compare nothing.
 * Returns both directions of every pair of models that met.
 */
export function headToHeadCounts(rankings: Iterable<RankingOfModels>): HeadToHead[] {
  const table = new Map<string, HeadToHead>();
  const cell = (model: string, against: string) => {
    const key = JSON.stringify([model, against]);
    let c = table.get(key);
    if (!c) table.set(key, (c = { model, against, wins: 0, losses: 0, ties: 0 }));
    return c;
  };
  for (const r of rankings) {
    const placed = r.ordering.flatMap((group, rank) => group.map((id) => ({ model: r.modelOf(id), rank })));
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i]!;
        const b = placed[j]!;
        if (!a.model || !b.model || a.model === b.model) continue;
        const ab = cell(a.model, b.model);
        const ba = cell(b.model, a.model);
        if (a.rank === b.rank) {
          ab.ties++;
          ba.ties++;
        } else if (a.rank < b.rank) {
          ab.wins++;
          ba.losses++;
        } else {
          ab.losses++;
          ba.wins++;
        }
      }
  }
  return [...table.values()];
}

/** The Wilson score interval for a proportion `p` observed over `n` trials; [0, 1] when there are none. */
export function wilsonInterval(p: number, n: number, z = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export interface WinRate extends HeadToHead {
  comparisons: number;
  /** (wins + ties/2) / comparisons: a tie counts as half a win. */
  winRate: number;
  ciLow: number;
  ciHigh: number;
}

/** A head-to-head cell with its win rate (ties count half) and the 95% Wilson interval of that rate. */
export function winRate(h: HeadToHead): WinRate {
  const n = h.wins + h.losses + h.ties;
  const rate = n ? (h.wins + h.ties / 2) / n : 0;
  const ci = wilsonInterval(rate, n);
  return { ...h, comparisons: n, winRate: rate, ciLow: ci.low, ciHigh: ci.high };
}

export interface BradleyTerryFit {
  models: string[];
  /** Log-strengths, centred on mean 0: P(i beats j) = 1 / (1 + exp(θj − θi)). */
  theta: number[];
  /** Standard errors of θ (given the centring), from the inverse of the observed information (the Hessian). */
  se: number[];
  iterations: number;
}

/**
 * Fits Bradley–Terry log-strengths by Newton's method on the log-likelihood, a tie counting as half a win for each
 * side. `ridge` is a Gaussian prior (precision λ) on each θ that keeps the fit finite when a model never lost or
 * never won; 0 gives the plain maximum-likelihood fit. The standard errors come from the inverse Hessian of the
 * penalised log-likelihood with the mean-zero constraint (the pseudo-inverse trick: (H + J/m)⁻¹ − J/m).
 */
export function fitBradleyTerry(cells: readonly HeadToHead[], opts: { ridge?: number; maxIterations?: number } = {}): BradleyTerryFit {
  const ridge = opts.ridge ?? 0.01;
  const models = [...new Set(cells.flatMap((c) => [c.model, c.against]))].sort();
  const m = models.length;
  const index = new Map(models.map((name, i) => [name, i]));
  // n[i][j] comparisons between i and j; w[i] = wins of i (ties half). Each cell appears in both directions.
  const n = models.map(() => new Array<number>(m).fill(0));
  const w = new Array<number>(m).fill(0);
  for (const c of cells) {
    const i = index.get(c.model)!;
    const j = index.get(c.against)!;
    n[i]![j]! += c.wins + c.losses + c.ties;
    w[i]! += c.wins + c.ties / 2;
  }
  const theta = new Array<number>(m).fill(0);
  const hessian = () => {
    const h = models.map(() => new Array<number>(m).fill(0));
    for (let i = 0; i < m; i++) {
      h[i]![i] = ridge;
      for (let j = 0; j < m; j++) {
        if (i === j || !n[i]![j]) continue;
        const p = 1 / (1 + Math.exp(theta[j]! - theta[i]!));
        const info = n[i]![j]! * p * (1 - p);
        h[i]![i]! += info;
        h[i]![j]! -= info;
      }
    }
    return h;
  };
  /** (H + J/m)⁻¹ − J/m: the inverse of H on the mean-zero subspace. */
  const constrainedInverse = (h: number[][]) => {
    const inv = invert(h.map((row) => row.map((x) => x + 1 / m)));
    return inv.map((row) => row.map((x) => x - 1 / m));
  };
  let iterations = 0;
  const maxIterations = opts.maxIterations ?? 100;
  for (; iterations < maxIterations && m > 1; iterations++) {
    const grad = models.map((_, i) => {
      let g = w[i]! - ridge * theta[i]!;
      for (let j = 0; j < m; j++) if (i !== j && n[i]![j]) g -= n[i]![j]! / (1 + Math.exp(theta[j]! - theta[i]!));
      return g;
    });
    const inv = constrainedInverse(hessian());
    let biggest = 0;
    const step = grad.map((_, i) => grad.reduce((s, g, j) => s + inv[i]![j]! * g, 0));
    // A damped step: the log-likelihood is concave, but a far start (a near-perfect record) can overshoot.
    const scale = Math.min(1, 3 / Math.max(...step.map(Math.abs), 1e-300));
    for (let i = 0; i < m; i++) {
      theta[i]! += scale * step[i]!;
      biggest = Math.max(biggest, Math.abs(scale * step[i]!));
    }
    const mean = theta.reduce((s, x) => s + x, 0) / m;
    for (let i = 0; i < m; i++) theta[i]! -= mean;
    if (biggest < 1e-10) break;
  }
  const cov = m > 1 ? constrainedInverse(hessian()) : [[0]];
  return { models, theta, se: models.map((_, i) => Math.sqrt(Math.max(0, cov[i]![i]!))), iterations };
}

/** Log-strength θ on the familiar Elo-like scale (Chatbot Arena's): 1000 + 400·log10(e)·θ. */
export function eloScale(theta: number): number {
  return 1000 + (400 / Math.LN10) * theta;
}

/** Gauss–Jordan inverse of a small square matrix (one row per model); throws on a singular one. */
export function invert(a: readonly number[][]): number[][] {
  const k = a.length;
  const aug = a.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(aug[r]![col]!) > Math.abs(aug[pivot]![col]!)) pivot = r;
    if (Math.abs(aug[pivot]![col]!) < 1e-12) throw new Error("singular matrix");
    [aug[col], aug[pivot]] = [aug[pivot]!, aug[col]!];
    const p = aug[col]![col]!;
    for (let c = 0; c < 2 * k; c++) aug[col]![c]! /= p;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = aug[r]![col]!;
      if (f) for (let c = 0; c < 2 * k; c++) aug[r]![c]! -= f * aug[col]![c]!;
    }
  }
  return aug.map((row) => row.slice(k));
}

export interface LeaderboardEntry {
  name: string;
  /** Elo-like scale (see eloScale), with its 95% interval. */
  rating: number;
  ratingLow: number;
  ratingHigh: number;
  comparisons: number;
  winRates: WinRate[];
}

/** Ratings and win rates per model, best rating first; each model's win rates by most comparisons first. */
export function leaderboard(cells: readonly HeadToHead[], opts: { ridge?: number } = {}): LeaderboardEntry[] {
  const fit = fitBradleyTerry(cells, opts);
  return fit.models
    .map((name, i) => {
      const rates = cells.filter((c) => c.model === name).map(winRate).sort((a, b) => b.comparisons - a.comparisons || a.against.localeCompare(b.against));
      return {
        name,
        rating: eloScale(fit.theta[i]!),
        ratingLow: eloScale(fit.theta[i]! - Z95 * fit.se[i]!),
        ratingHigh: eloScale(fit.theta[i]! + Z95 * fit.se[i]!),
        comparisons: rates.reduce((s, r) => s + r.comparisons, 0),
        winRates: rates,
      };
    })
    .sort((a, b) => b.rating - a.rating || a.name.localeCompare(b.name));
}
