"use client";
// Writing the adjudicated ranking: a rank (1 = best) for each completion; equal ranks are a tie.
import { useState } from "react";
import { Button, inputClass } from "~/app/_components/ui";

export function AdjudicationForm({
  completionIds,
  completions,
  busy,
  onSubmit,
}: {
  completionIds: string[];
  completions: { id: string; text: string }[];
  busy: boolean;
  onSubmit: (ordering: string[][], note: string) => void;
}) {
  const letters = new Map(completions.map((c, i) => [c.id, String.fromCharCode(65 + i)]));
  const ids = completionIds.filter((id) => letters.has(id)).sort((a, b) => letters.get(a)!.localeCompare(letters.get(b)!));
  const [ranks, setRanks] = useState<Record<string, string>>({});
  const [note, setNote] = useState("");
  const complete = ids.every((id) => Number(ranks[id]) >= 1);
  const submit = () => {
    const byRank = new Map<number, string[]>();
    for (const id of ids) byRank.set(Number(ranks[id]), [...(byRank.get(Number(ranks[id])) ?? []), id]);
    onSubmit([...byRank.entries()].sort(([a], [b]) => a - b).map(([, g]) => g), note);
  };
  return (
    <div className="rounded-md border border-slate-200 p-3" data-testid="adjudication-form">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Or write the ranking (1 = best; equal numbers tie)</h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        {ids.map((id) => (
          <label key={id} className="text-sm text-slate-700">
            {letters.get(id)}
            <input
              type="number"
              min={1}
              max={ids.length}
              value={ranks[id] ?? ""}
              onChange={(e) => setRanks((r) => ({ ...r, [id]: e.target.value }))}
              aria-label={`Rank of ${letters.get(id)}`}
              className={`${inputClass} w-16`}
            />
          </label>
        ))}
        <label className="min-w-48 flex-1 text-sm text-slate-700">
          Note
          <input value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} className={inputClass} placeholder="Why this ranking" />
        </label>
        <Button disabled={!complete || busy} onClick={submit} data-testid="adjudicate">
          Save adjudicated ranking
        </Button>
      </div>
    </div>
  );
}
