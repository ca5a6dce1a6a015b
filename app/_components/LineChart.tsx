"use client";
// A small hand-drawn SVG line chart (step on x, value on y) with nice ticks, a legend and a hover tooltip.
import { useEffect, useRef, useState, type MouseEvent } from "react";
import { formatTick, formatValue, linear, niceTicks, stepTicks } from "./chart-scale";

export interface ChartPoint {
  step: number;
  value: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  dashed?: boolean;
}

const MARGIN = { top: 10, right: 14, bottom: 22, left: 46 };

/** Tracks an element's width so the SVG draws at real pixels (crisp text, no stretched strokes). */
function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(160, Math.floor(entry!.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/** The point of a step-sorted series nearest to `step`. */
function nearest(points: ChartPoint[], step: number): ChartPoint | undefined {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.step < step) lo = mid + 1;
    else hi = mid;
  }
  const after = points[lo]!;
  const before = points[lo - 1];
  return before && step - before.step < after.step - step ? before : after;
}

export function LineChart({ title, series, height = 170 }: { title: string; series: ChartSeries[]; height?: number }) {
  const { ref, width } = useWidth(320);
  const [hoverStep, setHoverStep] = useState<number | null>(null);
  const drawn = series.filter((s) => s.points.length > 0);

  if (!drawn.length) return null;
  // Reduce, not Math.min(...): spreading a long series would overflow the call stack.
  let minStep = Infinity, maxStep = -Infinity, minValue = Infinity, maxValue = -Infinity;
  for (const s of drawn)
    for (const p of s.points) {
      minStep = Math.min(minStep, p.step);
      maxStep = Math.max(maxStep, p.step);
      minValue = Math.min(minValue, p.value);
      maxValue = Math.max(maxValue, p.value);
    }
  const x = stepTicks(minStep, maxStep);
  const y = niceTicks(minValue, maxValue);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = linear(x.min, x.max, MARGIN.left, MARGIN.left + plotW);
  const sy = linear(y.min, y.max, MARGIN.top + plotH, MARGIN.top);
  const pathOf = (points: ChartPoint[]) => points.map((p, i) => `${i ? "L" : "M"}${sx(p.step).toFixed(1)},${sy(p.value).toFixed(1)}`).join("");

  function onMove(e: MouseEvent<SVGRectElement>) {
    const box = e.currentTarget.getBoundingClientRect();
    const fraction = (e.clientX - box.left) / box.width;
    const step = x.min + fraction * (x.max - x.min);
    const candidates = drawn.map((s) => nearest(s.points, step)).filter((p): p is ChartPoint => !!p);
    const best = candidates.reduce((a, b) => (Math.abs(b.step - step) < Math.abs(a.step - step) ? b : a));
    setHoverStep(best.step);
  }

  const hovered = hoverStep === null ? [] : drawn.map((s) => ({ s, p: nearest(s.points, hoverStep)! })).filter(({ p }) => p.step === hoverStep);
  const hoverX = hoverStep === null ? 0 : sx(hoverStep);
  const last = drawn[0]!.points[drawn[0]!.points.length - 1]!;

  return (
    <figure className="min-w-0" data-testid="metric-chart" data-title={title}>
      <figcaption className={`mb-1 flex items-baseline gap-x-3 gap-y-0.5 text-xs ${drawn.length > 1 ? "flex-wrap" : ""}`}>
        <span className="min-w-0 truncate font-semibold text-slate-700" title={title}>
          {title}
        </span>
        {drawn.length > 1 &&
          drawn.map((s) => (
            <span key={s.name} className="inline-flex items-center gap-1 text-slate-500">
              <svg width="14" height="6" aria-hidden>
                <line x1="0" y1="3" x2="14" y2="3" stroke={s.color} strokeWidth="2" strokeDasharray={s.dashed ? "3 2" : undefined} />
              </svg>
              {s.name}
            </span>
          ))}
        {drawn.length === 1 && <span className="ml-auto shrink-0 tabular-nums text-slate-500">last {formatValue(last.value)}</span>}
      </figcaption>
      <div ref={ref} className="relative">
        <svg
          width={width}
          height={height}
          className="block select-none"
          role="img"
          aria-label={`${title}: ${drawn.map((s) => `${s.name} ${s.points.length} points`).join(", ")}`}
          data-testid="line-chart"
        >
          {y.ticks.map((t) => (
            <g key={`y${t}`}>
              <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={sy(t)} y2={sy(t)} stroke="#e2e8f0" strokeWidth="1" />
              <text x={MARGIN.left - 6} y={sy(t)} dy="0.32em" textAnchor="end" className="fill-slate-500 text-[10px] tabular-nums">
                {formatTick(t)}
              </text>
            </g>
          ))}
          {x.ticks.map((t) => (
            <g key={`x${t}`}>
              <line x1={sx(t)} x2={sx(t)} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH + 4} stroke="#94a3b8" />
              <text x={sx(t)} y={MARGIN.top + plotH + 15} textAnchor="middle" className="fill-slate-500 text-[10px] tabular-nums">
                {formatTick(t)}
              </text>
            </g>
          ))}
          <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} stroke="#94a3b8" />
          {drawn.map((s) =>
            s.points.length === 1 ? (
              <circle key={s.name} cx={sx(s.points[0]!.step)} cy={sy(s.points[0]!.value)} r="3" fill={s.color} data-points="1" />
            ) : (
              <path
                key={s.name}
                d={pathOf(s.points)}
                fill="none"
                stroke={s.color}
                strokeWidth="1.75"
                strokeLinejoin="round"
                strokeDasharray={s.dashed ? "5 3" : undefined}
                data-series={s.name}
                data-points={s.points.length}
              />
            ),
          )}
          {hovered.length > 0 && (
            <g pointerEvents="none">
              <line x1={hoverX} x2={hoverX} y1={MARGIN.top} y2={MARGIN.top + plotH} stroke="#64748b" strokeDasharray="3 3" />
              {hovered.map(({ s, p }) => (
                <circle key={s.name} cx={hoverX} cy={sy(p.value)} r="3.5" fill="white" stroke={s.color} strokeWidth="2" />
              ))}
            </g>
          )}
          <rect
            x={MARGIN.left}
            y={MARGIN.top}
            width={plotW}
            height={plotH}
            fill="transparent"
            onMouseMove={onMove}
            onMouseLeave={() => setHoverStep(null)}
            data-testid="chart-hover-area"
          />
        </svg>
        {hovered.length > 0 && (
          <div
            role="tooltip"
            className="pointer-events-none absolute top-1 z-10 rounded-md border border-slate-200 bg-white/95 px-2 py-1 text-xs shadow-md"
            style={hoverX > width * 0.6 ? { right: width - hoverX + 8 } : { left: hoverX + 8 }}
          >
            <div className="font-medium text-slate-700">step {hoverStep}</div>
            {hovered.map(({ s, p }) => (
              <div key={s.name} className="flex items-center gap-1.5 whitespace-nowrap tabular-nums text-slate-600">
                <span className="h-2 w-2 rounded-full" style={{ background: s.color }} />
                {drawn.length > 1 && <span>{s.name}</span>}
                <span className="ml-auto font-medium text-slate-900">{formatValue(p.value)}</span>
              </div>
            ))}
          </div>
        )}
      </div>
    </figure>
  );
}
