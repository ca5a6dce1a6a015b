// A horizontal bar chart for small distributions (flags, Likert ratings, time per task): one labelled bar per value.
export function BarChart({ title, bars, testId }: { title: string; bars: { label: string; value: number }[]; testId?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((s, b) => s + b.value, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid={testId}>
      <figcaption className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</figcaption>
      {bars.length === 0 || total === 0 ? (
        <p className="text-sm text-slate-400">Nothing recorded yet.</p>
      ) : (
        <ul className="space-y-1">
          {bars.map((b) => (
            <li key={b.label} className="flex items-center gap-2 text-xs">
              <span className="w-16 shrink-0 truncate text-right text-slate-600" title={b.label}>
                {b.label}
              </span>
              <span className="h-3 flex-1 rounded-sm bg-slate-100">
                <span className="block h-3 rounded-sm bg-indigo-500" style={{ width: `${(b.value / max) * 100}%` }} />
              </span>
              <span className="w-14 shrink-0 tabular-nums text-slate-500">{((b.value / total) * 100).toFixed(0)}%</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
