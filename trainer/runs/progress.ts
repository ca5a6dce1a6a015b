// A progress bar on stderr for long CLI work (training, sampling): bar, step/total, rate, ETA and the latest metrics.
// On a TTY it redraws one line; elsewhere (CI logs, the worker) it prints a plain line every `everyPercent` percent.

export interface ProgressBarOptions {
  total: number;
  /** Shown before the bar, e.g. "sft" or "sample". */
  label?: string;
  /** What a step is, for the rate, e.g. "step" → "3.2 step/s". */
  unit?: string;
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Without a TTY, print a line each time progress crosses another multiple of this percentage. */
  everyPercent?: number;
  /** Silence everything (tests, --json runs that want a clean stderr). */
  quiet?: boolean;
  /** Injected clock for tests. */
  now?: () => number;
}

const BAR_WIDTH = 24;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function formatMetric(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(4);
}

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly unit: string;
  private readonly stream: NonNullable<ProgressBarOptions["stream"]>;
  private readonly everyPercent: number;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private readonly startedAt: number;
  private current = 0;
  private metrics: Record<string, number> = {};
  private lastPrintedBucket = -1;
  private lastDrawAt = 0;
  private finished = false;

  constructor(opts: ProgressBarOptions) {
    this.total = Math.max(1, opts.total);
    this.label = opts.label ?? "";
    this.unit = opts.unit ?? "it";
    this.stream = opts.stream ?? process.stderr;
    this.everyPercent = opts.everyPercent ?? 10;
    this.quiet = opts.quiet ?? false;
    this.now = opts.now ?? (() => Date.now());
    this.startedAt = this.now();
  }

  private get isTTY(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** Sets the step reached (not an increment) and, optionally, the latest metrics to show beside it. */
  update(step: number, metrics?: Record<string, number>): void {
    this.current = Math.min(step, this.total);
    if (metrics) this.metrics = { ...this.metrics, ...metrics };
    if (this.quiet || this.finished) return;
    if (this.isTTY) {
      // Redrawing more than ~10 times a second only costs time.
      const t = this.now();
      if (t - this.lastDrawAt < 100 && this.current < this.total) return;
      this.lastDrawAt = t;
      this.stream.write(`\r${this.render()}\x1b[K`);
    } else {
      const bucket = Math.floor((100 * this.current) / this.total / this.everyPercent);
      if (bucket > this.lastPrintedBucket) {
        this.lastPrintedBucket = bucket;
        this.stream.write(this.render() + "\n");
      }
    }
  }

  /** Moves forward by `n` steps. */
  tick(n = 1, metrics?: Record<string, number>): void {
    this.update(this.current + n, metrics);
  }

  /** Ends the bar: on a TTY the line is kept and a newline written. */
  done(): void {
    if (this.finished) return;
    if (!this.quiet && this.isTTY) this.stream.write(`\r${this.render()}\x1b[K\n`);
    else if (!this.quiet && this.lastPrintedBucket < Math.floor(100 / this.everyPercent)) this.stream.write(this.render() + "\n");
    this.finished = true;
  }

  /** The current line, e.g. `sft [#####.....] 120/400 3.1 step/s ETA 1:30 train/loss=1.2345`. */
  render(): string {
    const frac = this.current / this.total;
    const filled = Math.round(frac * BAR_WIDTH);
    const elapsed = (this.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? this.current / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.current) / rate : NaN;
    const parts = [
      this.label,
      `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`,
      `${this.current}/${this.total}`,
      `${rate.toFixed(rate >= 10 ? 0 : 2)} ${this.unit}/s`,
      `ETA ${formatDuration(eta)}`,
      ...Object.entries(this.metrics).map(([k, v]) => `${k}=${formatMetric(v)}`),
    ].filter(Boolean);
    let line = parts.join(" ");
    const width = "columns" in this.stream && this.stream.columns ? this.stream.columns : 0;
    if (this.isTTY && width > 10 && line.length >= width) line = line.slice(0, width - 1);
    return line;
  }
}
