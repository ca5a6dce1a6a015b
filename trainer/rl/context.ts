// The slice of a run's context the RL trainers use. The run framework's context satisfies it, and tests and the
// proof pass a plain object, so the trainers never depend on the database or the CLI.

export interface RlContext {
  /** One human-readable log line (run log, stderr). */
  log(message: string): void;
  /** One step's metrics, named as TRL names them (objective/kl, policy/clipfrac_avg, ...). */
  reportMetrics(step: number, metrics: Record<string, number>): void;
  /** Fraction done, 0..1, with the latest metrics for the CLI progress line. */
  progress(fraction: number, metrics?: Record<string, number>): void;
  /** True once the run was cancelled: trainers stop at the next step boundary. */
  isCancelled(): boolean;
  /** Tokens just trained on, for the run's perf/tokens_per_s (the run framework counts them; tests need not). */
  countTokens?(tokens: number): void;
}

/** A context that logs to stderr (or nowhere) and keeps every reported metric, for tests and benchmarks. */
export function memoryContext(opts: { verbose?: boolean } = {}): RlContext & { metrics: Array<{ step: number } & Record<string, number>> } {
  const metrics: Array<{ step: number } & Record<string, number>> = [];
  return {
    metrics,
    log: (m) => {
      if (opts.verbose) process.stderr.write(m + "\n");
    },
    reportMetrics: (step, m) => {
      metrics.push({ step, ...m });
    },
    progress: () => {},
    isCancelled: () => false,
  };
}

/** Thrown when a run notices it was cancelled; the run framework records it as cancelled, not failed. */
export class RunCancelled extends Error {
  override name = "RunCancelled";
}
