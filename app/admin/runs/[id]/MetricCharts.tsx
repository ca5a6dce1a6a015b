// A run's metrics as small line charts, one per metric (train and eval together), under group headings.
import { LineChart } from "~/app/_components/LineChart";
import { groupMetrics } from "./metric-groups";

export function MetricCharts({ series }: { series: Record<string, { step: number; value: number }[]> }) {
  const groups = groupMetrics(series);
  if (!groups.length) return <p className="text-sm text-slate-500">No metrics yet. They appear here as the worker reports them.</p>;
  // Groups flow side by side (a group of one chart does not take a whole row); each chart has a fixed width.
  return (
    <div className="flex flex-wrap gap-x-6 gap-y-5">
      {groups.map((group) => (
        <section key={group.title} aria-label={group.title} className="w-full min-w-0 sm:w-auto sm:max-w-full">
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{group.title}</h3>
          <div className="flex flex-wrap gap-6">
            {group.charts.map((chart) => (
              <div key={chart.key} className="w-full sm:w-[13.5rem] xl:w-[15.5rem]">
                <LineChart title={chart.title} series={chart.series} />
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
