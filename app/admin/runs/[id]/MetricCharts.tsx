// A run's metrics as small line charts, one per metric (train and eval together), under group headings.
import { LineChart } from "~/app/_components/LineChart";
import { groupMetrics } from "./metric-groups";

export function MetricCharts({ series }: { series: Record<string, { step: number; value: number }[]> }) {
  const groups = groupMetrics(series);
  if (!groups.length) return <p className="text-sm text-slate-500">No metrics yet. They appear here as the worker reports them.</p>;
  return (
    <div className="space-y-6">
      {groups.map((group) => (
        <section key={group.title} aria-label={group.title}>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{group.title}</h3>
          <div className="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2 xl:grid-cols-3">
            {group.charts.map((chart) => (
              <LineChart key={chart.key} title={chart.title} series={chart.series} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
