// Pure helpers for hand-drawn charts: "nice" axis ticks (1, 2, 5 × 10^k), linear scales and compact tick labels.

/** A step of 1, 2, 2.5 or 5 × 10^k close to `raw`. */
function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const f = raw / base;
  const nice = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10;
  return nice * base;
}

/**
 * About `count` evenly spaced round numbers covering [min, max]; the domain is widened to the outer ticks so the
 * line never touches the frame. A flat series gets a small band around its value.
 */
export function niceTicks(min: number, max: number, count = 4): { ticks: number[]; min: number; max: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0, 1], min: 0, max: 1 };
  // Flat, or flat but for float noise (a constant KL coefficient): labels would all read the same.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-6) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / Math.max(1, count));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return { ticks, min: lo, max: hi };
}

/** Integer ticks for the step axis (steps are whole numbers; never a tick at 2.5). */
export function stepTicks(min: number, max: number, count = 5): { ticks: number[]; min: number; max: number } {
  if (max - min < 1) return { ticks: [min], min: min - 0.5, max: min + 0.5 };
  const step = Math.max(1, niceStep((max - min) / count));
  const first = Math.ceil(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max; v += step) ticks.push(Math.round(v));
  return { ticks, min, max };
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Short labels: 0.0001 → "1e-4", 12500 → "12.5k", 0.25 → "0.25". */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a < 1e-3) {
    const [m, e] = v.toExponential(1).split("e");
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}

/** A value for a tooltip: more digits than a tick label. */
export function formatValue(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
