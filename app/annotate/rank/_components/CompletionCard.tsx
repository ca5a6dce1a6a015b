"use client";
// One completion to rank: its text (plain, whitespace kept, as exported), rank badge, per-completion flags and Likert rating.
// The card is focusable (number keys rank it) and draggable onto a rank slot.
import type { KeyboardEvent } from "react";
import { ResponseText } from "~/app/_components/ResponseText";
import { Badge } from "~/app/_components/ui";
import { DRAG_TYPE } from "./drag";

export interface CompletionCardProps {
  cardRef: (el: HTMLElement | null) => void;
  id: string;
  letter: string;
  text: string;
  rank: number | undefined;
  tied: boolean;
  flagOptions: string[];
  flags: string[];
  likertScale: number;
  rating: number | undefined;
  disabled: boolean;
  onKeyDown: (e: KeyboardEvent<HTMLElement>) => void;
  onToggleFlag: (flag: string) => void;
  onRate: (value: number | undefined) => void;
}

export function CompletionCard(props: CompletionCardProps) {
  const { id, letter, text, rank, tied, flagOptions, flags, likertScale, rating, disabled } = props;
  return (
    <article
      ref={props.cardRef}
      tabIndex={0}
      draggable={!disabled}
      data-testid="completion"
      data-completion-id={id}
      data-letter={letter}
      data-rank={rank ?? ""}
      aria-label={`Completion ${letter}, ${rank ? `rank ${rank}${tied ? " (tie)" : ""}` : "not ranked"}`}
      onKeyDown={props.onKeyDown}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, id);
        e.dataTransfer.setData("text/plain", id);
        e.dataTransfer.effectAllowed = "move";
      }}
      className={`group flex min-h-0 flex-col rounded-lg border bg-white shadow-sm outline-none transition focus:border-indigo-500 focus:ring-2 focus:ring-indigo-300 ${
        rank ? "border-indigo-200" : "border-slate-200"
      } ${disabled ? "opacity-60" : "cursor-grab active:cursor-grabbing"}`}
    >
      <header className="flex items-center gap-2 border-b border-slate-100 px-3 py-2">
        <span className="grid h-6 w-6 place-items-center rounded bg-slate-800 text-xs font-bold text-white">{letter}</span>
        <span className="text-sm font-medium text-slate-700">Completion {letter}</span>
        <span className="ml-auto flex items-center gap-1">
          {tied && <Badge tone="amber">tie</Badge>}
          {rank ? <Badge tone="indigo">Rank {rank}</Badge> : <Badge>Not ranked</Badge>}
        </span>
      </header>
      <div className="max-h-56 flex-1 overflow-y-auto px-3 py-2">
        <ResponseText text={text} testId="completion-text" />
      </div>
      {(flagOptions.length > 0 || likertScale > 1) && (
        <footer className="space-y-2 border-t border-slate-100 px-3 py-2">
          {flagOptions.length > 0 && (
            <div className="flex flex-wrap gap-x-3 gap-y-1" role="group" aria-label={`Flags for ${letter}`}>
              {flagOptions.map((flag) => (
                <label key={flag} className="inline-flex items-center gap-1 text-xs text-slate-600">
                  <input
                    type="checkbox"
                    className="h-3.5 w-3.5 accent-red-600"
                    checked={flags.includes(flag)}
                    disabled={disabled}
                    onChange={() => props.onToggleFlag(flag)}
                  />
                  {flag}
                </label>
              ))}
            </div>
          )}
          {likertScale > 1 && (
            <LikertScale letter={letter} scale={likertScale} value={rating} disabled={disabled} onChange={props.onRate} />
          )}
        </footer>
      )}
    </article>
  );
}

function LikertScale({
  letter,
  scale,
  value,
  disabled,
  onChange,
}: {
  letter: string;
  scale: number;
  value: number | undefined;
  disabled: boolean;
  onChange: (value: number | undefined) => void;
}) {
  return (
    <div className="flex items-center gap-2" role="radiogroup" aria-label={`Quality rating for ${letter}`}>
      <span className="text-xs text-slate-500">Quality</span>
      <div className="flex overflow-hidden rounded-md border border-slate-300">
        {Array.from({ length: scale }, (_, i) => i + 1).map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={value === n}
            tabIndex={-1}
            disabled={disabled}
            onClick={() => onChange(value === n ? undefined : n)}
            className={`w-6 border-l border-slate-200 py-0.5 text-xs tabular-nums first:border-l-0 ${
              value === n ? "bg-indigo-600 text-white" : "bg-white text-slate-600 hover:bg-slate-100"
            }`}
          >
            {n}
          </button>
        ))}
      </div>
      <span className="hidden text-[0.7rem] text-slate-400 xl:inline">1 poor · {scale} excellent</span>
    </div>
  );
}
