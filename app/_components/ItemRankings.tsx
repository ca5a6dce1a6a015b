// One item as a reviewer or researcher reads it: the prompt, every completion (lettered, with its model), and every
// annotator's ranking side by side with rationale and flags, beside the gold ranking and any review.
import type { ReactNode } from "react";
import { Badge } from "./ui";

export interface ItemView {
  prompt: string;
  completions: { id: string; text: string; model: string | null }[];
  rankings: {
    id: string;
    annotator: string | null;
    ordering: string[][];
    notRankable: boolean;
    notRankableReason: string | null;
    rationale: string | null;
    flags: Record<string, string[]>;
    timeMs: number;
  }[];
  gold: string[][] | null;
  agreement: number | null;
  reviews: { id: string; reason: string; status: string; ordering: string[][] | null; note: string | null; reviewer: string | null }[];
}

const letter = (i: number) => String.fromCharCode(65 + i);

/** "A > B = C > D": a ranking in completion letters. */
export function orderingText(ordering: string[][], letters: Map<string, string>): string {
  return ordering.map((g) => g.map((id) => letters.get(id) ?? "?").join(" = ")).join(" > ");
}

export function ItemRankings({ item, actions }: { item: ItemView; actions?: (ranking: ItemView["rankings"][number]) => ReactNode }) {
  const letters = new Map(item.completions.map((c, i) => [c.id, letter(i)]));
  return (
    <div className="space-y-4" data-testid="item-view">
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Prompt</h3>
        <p className="mt-1 whitespace-pre-wrap text-sm text-slate-900">{item.prompt}</p>
      </div>
      <div className="grid grid-cols-1 gap-2 md:grid-cols-2">
        {item.completions.map((c, i) => (
          <div key={c.id} className="rounded-md border border-slate-200 bg-slate-50 p-2 text-sm">
            <div className="mb-1 flex items-center gap-2">
              <Badge tone="indigo">{letter(i)}</Badge>
              <span className="text-xs text-slate-500">{c.model ?? "model unknown"}</span>
            </div>
            <p className="max-h-32 overflow-auto whitespace-pre-wrap text-slate-800">{c.text}</p>
          </div>
        ))}
      </div>
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
          Rankings {item.agreement !== null && <span className="normal-case text-slate-400">· pairwise agreement {item.agreement.toFixed(2)}</span>}
        </h3>
        <table className="mt-1 w-full text-left text-sm" data-testid="item-rankings">
          <tbody className="divide-y divide-slate-100">
            {item.gold && (
              <tr className="bg-amber-50">
                <td className="px-2 py-1.5 font-medium text-amber-800">gold</td>
                <td className="px-2 py-1.5 font-mono">{orderingText(item.gold, letters)}</td>
                <td className="px-2 py-1.5 text-slate-500" colSpan={2} />
              </tr>
            )}
            {item.rankings.map((r) => (
              <tr key={r.id}>
                <td className="px-2 py-1.5 text-slate-700">{r.annotator ?? "imported"}</td>
                <td className="px-2 py-1.5 font-mono">{r.notRankable ? <span className="text-slate-500">cannot rank: {r.notRankableReason}</span> : orderingText(r.ordering, letters)}</td>
                <td className="px-2 py-1.5 text-xs text-slate-600">
                  {r.rationale && <span className="italic">“{r.rationale}”</span>}
                  {Object.entries(r.flags).map(([id, f]) => (
                    <span key={id} className="ml-1">
                      <Badge tone="red">
                        {letters.get(id)}: {f.join(", ")}
                      </Badge>
                    </span>
                  ))}
                </td>
                <td className="px-2 py-1.5 text-right">{actions?.(r)}</td>
              </tr>
            ))}
            {item.reviews
              .filter((v) => v.status === "resolved" && v.ordering)
              .map((v) => (
                <tr key={v.id} className="bg-emerald-50">
                  <td className="px-2 py-1.5 font-medium text-emerald-800">review ({v.reviewer})</td>
                  <td className="px-2 py-1.5 font-mono">{orderingText(v.ordering!, letters)}</td>
                  <td className="px-2 py-1.5 text-xs italic text-slate-600" colSpan={2}>
                    {v.note}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
