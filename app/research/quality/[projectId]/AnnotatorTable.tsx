// Per-annotator reliability; rows whose gold accuracy or consensus agreement is low are highlighted for a spot check.
import { Badge, TableHead } from "~/app/_components/ui";
import { formatDuration } from "~/app/_lib/time";

interface Annotator {
  email: string;
  rankings: number;
  goldAccuracy: number | null;
  goldPairs: number;
  goldInterval: { low: number; high: number } | null;
  agreement: number | null;
  weight: number;
  medianTimeMs: number | null;
  cannotRankShare: number;
  flagRate: number;
}

/** Below these an annotator deserves a look: gold well under "careful", or siding with the others less than 60% of the time. */
const LOW_GOLD = 0.7;
const LOW_AGREEMENT = 0.6;

/**
 * Gold decides where there is gold: agreement with the others cannot tell who is right when the others are the
 * careless ones (with two annotators, both look equally bad). Consensus agreement speaks only where gold is absent.
 */
export function isLowReliability(a: Pick<Annotator, "goldAccuracy" | "agreement">): boolean {
  if (a.goldAccuracy !== null) return a.goldAccuracy < LOW_GOLD;
  return a.agreement !== null && a.agreement < LOW_AGREEMENT;
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(0)}%`);

export function AnnotatorTable({ annotators }: { annotators: Annotator[] }) {
  if (!annotators.length) return <p className="text-sm text-slate-500">No annotator has ranked anything in this project yet.</p>;
  return (
    <table className="w-full text-left text-sm" data-testid="annotator-table">
      <TableHead
        columns={[
          "Annotator",
          { label: "Rankings", right: true },
          { label: "Gold accuracy", right: true },
          { label: "Agreement", right: true },
          { label: "Weight", right: true },
          { label: "Median time", right: true },
          { label: "Cannot rank", right: true },
          { label: "Flag rate", right: true },
        ]}
      />
      <tbody className="divide-y divide-slate-100">
        {annotators.map((a) => {
          const low = isLowReliability(a);
          return (
            <tr key={a.email} className={low ? "bg-red-50" : undefined} data-low-reliability={low ? "true" : undefined} data-testid="annotator-row">
              <td className="px-4 py-2 font-medium text-slate-800">
                {a.email} {low && <Badge tone="red">spot check</Badge>}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{a.rankings}</td>
              <td className="px-4 py-2 text-right tabular-nums" title={a.goldInterval ? `95% interval ${pct(a.goldInterval.low)}–${pct(a.goldInterval.high)}` : undefined}>
                {pct(a.goldAccuracy)}
                {a.goldInterval && (
                  <span className="ml-1 text-xs text-slate-400">
                    ({pct(a.goldInterval.low)}–{pct(a.goldInterval.high)}, {a.goldPairs} pairs)
                  </span>
                )}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{pct(a.agreement)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{a.weight.toFixed(2)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatDuration(a.medianTimeMs)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{pct(a.cannotRankShare)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{pct(a.flagRate)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
