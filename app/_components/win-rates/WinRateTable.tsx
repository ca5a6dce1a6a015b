// One model's win rates against the models its completions met: counts, the rate and its 95% interval as a bar.
import Link from "next/link";
import { percent, percentInterval } from "./format";

export interface WinRateRow {
  against: string;
  wins: number;
  losses: number;
  ties: number;
  comparisons: number;
  winRate: number;
  ciLow: number;
  ciHigh: number;
}

/** The interval as a bar on 0–100%, the point estimate as a tick, 50% marked. */
function IntervalBar({ row }: { row: WinRateRow }) {
  return (
    <div className="relative h-2.5 w-40 rounded bg-slate-100" aria-hidden>
      <div className="absolute inset-y-0 left-1/2 w-px bg-slate-300" />
      <div className="absolute inset-y-0 rounded bg-indigo-200" style={{ left: `${row.ciLow * 100}%`, width: `${(row.ciHigh - row.ciLow) * 100}%` }} />
      <div className="absolute -inset-y-0.5 w-0.5 rounded bg-indigo-700" style={{ left: `calc(${row.winRate * 100}% - 1px)` }} />
    </div>
  );
}

export function WinRateTable({ rows, modelHref, highlight }: { rows: WinRateRow[]; modelHref: (name: string) => string; highlight?: string | null }) {
  return (
    <table className="w-full text-left text-sm" data-testid="win-rates">
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-1.5 pr-3 font-semibold">Against</th>
          <th className="px-3 py-1.5 text-right font-semibold">W / L / T</th>
          <th className="px-3 py-1.5 text-right font-semibold">Win rate</th>
          <th className="px-3 py-1.5 font-semibold">95% interval</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.against} data-testid="win-rate" data-against={r.against}>
            <td className="py-2 pr-3">
              <Link href={modelHref(r.against)} className="font-medium text-indigo-700 hover:underline">
                {r.against}
              </Link>
              {highlight === r.against && <span className="ml-2 text-xs text-slate-400">parent</span>}
            </td>
            <td className="px-3 py-2 text-right tabular-nums text-slate-600">
              {r.wins} / {r.losses} / {r.ties}
            </td>
            <td className="px-3 py-2 text-right font-semibold tabular-nums" data-testid="win-rate-value">
              {percent(r.winRate)}
            </td>
            <td className="px-3 py-2">
              <div className="flex items-center gap-3">
                <IntervalBar row={r} />
                <span className="whitespace-nowrap text-xs tabular-nums text-slate-500" data-testid="win-rate-ci">
                  {percentInterval(r.ciLow, r.ciHigh)} · n = {r.comparisons}
                </span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
