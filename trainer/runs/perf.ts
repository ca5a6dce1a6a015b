// Throughput and memory of a run in the open: tokens per second between metric reports, and the process's peak
// resident memory, added to the run's metrics (perf/tokens_per_s, perf/peak_mb), its progress bar and its log.

/** Resident set size now, in MB. */
const rssMb = () => process.memoryUsage().rss / (1024 * 1024);

export class PerfMeter {
  private peakMb = rssMb();
  private tokensSinceReport = 0;
  private reportedAt = performance.now();
  private tokensTotal = 0;
  private readonly startedAt = performance.now();
  private lastRate: number | null = null;

  /** Tokens the trainer just pushed through the model (forward and backward), counted by the trainer. */
  count(tokens: number): void {
    this.tokensSinceReport += tokens;
    this.tokensTotal += tokens;
    this.sample();
  }

  /** Samples memory; cheap, so every progress update and metric report calls it. */
  sample(): void {
    this.peakMb = Math.max(this.peakMb, rssMb());
  }

  /**
   * The perf metrics to store beside a training step's own: peak memory always, tokens/s over the interval since
   * the last report when the trainer counted tokens in it.
   */
  metrics(): Record<string, number> {
    this.sample();
    const now = performance.now();
    const out: Record<string, number> = { "perf/peak_mb": Math.round(this.peakMb) };
    if (this.tokensSinceReport > 0 && now > this.reportedAt) {
      this.lastRate = (this.tokensSinceReport * 1000) / (now - this.reportedAt);
      out["perf/tokens_per_s"] = +this.lastRate.toFixed(1);
    }
    this.tokensSinceReport = 0;
    this.reportedAt = now;
    return out;
  }

  /** What the progress bar shows: the latest rate and the peak so far. */
  barFigures(): Record<string, number> {
    this.sample();
    return { ...(this.lastRate !== null ? { "tok/s": Math.round(this.lastRate) } : {}), peak_mb: Math.round(this.peakMb) };
  }

  /** One line for the run log when it ends. */
  summary(): string {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rate = this.tokensTotal > 0 ? `, ${this.tokensTotal} tokens at ${(this.tokensTotal / seconds).toFixed(1)} tokens/s` : "";
    return `perf: ${seconds.toFixed(1)} s${rate}, peak RSS ${Math.round(this.peakMb)} MB`;
  }
}
