// The learning-rate schedule: linear warmup, then cosine (or linear, or constant) decay, matching HF's
// get_cosine_schedule_with_warmup so numbers compare with TRL runs.

export interface ScheduleOptions {
  peakLr: number;
  totalSteps: number;
  warmupSteps: number;
  type: "cosine" | "linear" | "constant";
  /** Decay floor as a fraction of peakLr (0 = HF's behaviour). */
  minLrRatio?: number;
}

/** Warmup steps for a run: ceil(ratio · total), as HF's get_warmup_steps. */
export function warmupSteps(totalSteps: number, ratio: number): number {
  return Math.ceil(totalSteps * ratio);
}

/** The learning rate for optimizer step `step` (0-based): the value HF's LambdaLR gives for that step. */
export function learningRateAt(step: number, o: ScheduleOptions): number {
  if (step < o.warmupSteps) return (o.peakLr * step) / Math.max(1, o.warmupSteps);
  if (o.type === "constant") return o.peakLr;
  const progress = Math.min(1, (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps));
  const decay = o.type === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  const floor = o.minLrRatio ?? 0;
  return o.peakLr * (floor + (1 - floor) * decay);
}
