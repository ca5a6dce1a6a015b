"use client";
// One ranking task: rank the K completions by keyboard or drag-and-drop, flag and rate them, then submit
// (or say the prompt cannot be ranked). Time spent counts from when the task was shown.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { ReasonDialog } from "~/app/_components/ReasonDialog";
import { Button, Kbd } from "~/app/_components/ui";
import { clearRank, completionsAtRank, isComplete, letterFor, placeAtRank, toGroups, unranked, type RankMap } from "~/app/_lib/ranking";
import { useTRPCClient } from "~/app/_lib/trpc";
import { PromptCard } from "../../_components/PromptCard";
import { ShortcutHelp } from "../../_components/ShortcutHelp";
import type { RankTaskView } from "../../_components/task-types";
import { CompletionCard } from "./CompletionCard";
import { RankSlots } from "./RankSlots";

const NOT_RANKABLE_REASONS = ["All completions are identical", "The prompt is unclear", "The prompt is harmful", "I lack the expertise"];

export function RankingTask({ task, onDone }: { task: RankTaskView; onDone: (message: string) => void }) {
  const client = useTRPCClient();
  const ids = useMemo(() => task.completions.map((c) => c.id), [task.completions]);
  const letters = useMemo(() => new Map(ids.map((id, i) => [id, letterFor(i)])), [ids]);
  const k = ids.length;

  const [ranks, setRanks] = useState<RankMap>({});
  const [flags, setFlags] = useState<Record<string, string[]>>({});
  const [ratings, setRatings] = useState<Record<string, number>>({});
  const [rationale, setRationale] = useState("");
  const [askNotRankable, setAskNotRankable] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const shownAt = useRef(Date.now());
  const cardRefs = useRef<(HTMLElement | null)[]>([]);

  // Where the project asks for a reason, a ranking without one is not complete yet.
  const complete = isComplete(ranks, ids) && (!task.requireRationale || rationale.trim().length > 0);

  const submit = useCallback(
    async (notRankableReason?: string) => {
      if (submitting) return;
      if (!notRankableReason && (!isComplete(ranks, ids) || (task.requireRationale && !rationale.trim()))) return;
      setSubmitting(true);
      setError(null);
      try {
        await client.rankings.submit.mutate({
          assignmentId: task.assignmentId,
          ranking: notRankableReason ? [] : toGroups(ranks, ids),
          notRankable: notRankableReason ? true : undefined,
          notRankableReason,
          flags: Object.fromEntries(Object.entries(flags).filter(([, f]) => f.length > 0)),
          ratings,
          rationale: rationale.trim() || undefined,
          timeMs: Date.now() - shownAt.current,
        });
        onDone(notRankableReason ? "Marked as cannot rank." : "Ranking submitted.");
      } catch (err) {
        setError(err);
        setSubmitting(false);
      }
    },
    [client, flags, ids, onDone, ranks, ratings, rationale, submitting, task.assignmentId, task.requireRationale],
  );

  // Ctrl/Cmd+Enter submits from anywhere; j/k or arrows from the page body focus the first card.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (askNotRankable) return; // the dialog has its own keys
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit();
        return;
      }
      const onBody = e.target === document.body;
      if (onBody && ["j", "k", "ArrowDown", "ArrowUp"].includes(e.key)) {
        e.preventDefault();
        cardRefs.current[0]?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [askNotRankable, submit]);

  useEffect(() => {
    cardRefs.current[0]?.focus();
  }, []);

  function focusCard(index: number) {
    const target = cardRefs.current[(index + k) % k];
    target?.focus();
    target?.scrollIntoView({ block: "nearest" });
  }

  function onCardKeyDown(index: number, id: string, e: KeyboardEvent<HTMLElement>) {
    if (submitting || e.ctrlKey || e.metaKey || e.altKey) return;
    const onCard = e.target === e.currentTarget;
    const digit = /^[0-9]$/.test(e.key) ? Number(e.key) : NaN;
    if (digit >= 1 && digit <= Math.min(k, 9)) {
      e.preventDefault();
      setRanks((r) => placeAtRank(r, id, digit, task.allowTies));
    } else if (e.key === "0" || e.key === "Backspace" || e.key === "Delete") {
      e.preventDefault();
      setRanks((r) => clearRank(r, id));
    } else if (onCard && (e.key === "j" || e.key === "ArrowDown" || e.key === "ArrowRight")) {
      e.preventDefault();
      focusCard(index + 1);
    } else if (onCard && (e.key === "k" || e.key === "ArrowUp" || e.key === "ArrowLeft")) {
      e.preventDefault();
      focusCard(index - 1);
    }
  }

  function toggleFlag(id: string, flag: string) {
    setFlags((all) => {
      const current = all[id] ?? [];
      return { ...all, [id]: current.includes(flag) ? current.filter((f) => f !== flag) : [...current, flag] };
    });
  }

  function rate(id: string, value: number | undefined) {
    setRatings((all) => {
      const next = { ...all };
      if (value === undefined) delete next[id];
      else next[id] = value;
      return next;
    });
  }

  const slotItems = (list: string[]) => list.map((id) => ({ id, letter: letters.get(id)! }));
  const remaining = unranked(ranks, ids).length;

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_17rem]">
      <div className="min-w-0 space-y-4">
        <PromptCard prompt={task.prompt} messages={task.messages} />
        <div className="grid grid-cols-1 gap-3 md:grid-cols-2" data-testid="completions">
          {task.completions.map((c, index) => {
            const rank = ranks[c.id];
            return (
                <CompletionCard
                  key={c.id}
                  cardRef={(el) => void (cardRefs.current[index] = el)}
                  id={c.id}
                  letter={letters.get(c.id)!}
                  text={c.text}
                  rank={rank}
                  tied={rank !== undefined && completionsAtRank(ranks, ids, rank).length > 1}
                  flagOptions={task.flags}
                  flags={flags[c.id] ?? []}
                  likertScale={task.likertScale}
                  rating={ratings[c.id]}
                  disabled={submitting}
                  onKeyDown={(e) => onCardKeyDown(index, c.id, e)}
                  onToggleFlag={(flag) => toggleFlag(c.id, flag)}
                  onRate={(value) => rate(c.id, value)}
                />
            );
          })}
        </div>
      </div>

      <aside className="space-y-3 lg:sticky lg:top-4 lg:self-start">
        <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
          <div className="mb-2 flex items-center justify-between">
            <h2 className="text-sm font-semibold text-slate-700">Your ranking</h2>
            <span className="text-xs text-slate-500" data-testid="ranked-count">
              {k - remaining}/{k} ranked
            </span>
          </div>
          <RankSlots
            count={k}
            itemsAt={(rank) => slotItems(completionsAtRank(ranks, ids, rank))}
            unrankedItems={slotItems(unranked(ranks, ids))}
            allowTies={task.allowTies}
            disabled={submitting}
            onDropAt={(id, rank) => ids.includes(id) && setRanks((r) => placeAtRank(r, id, rank, task.allowTies))}
            onDropUnranked={(id) => setRanks((r) => clearRank(r, id))}
          />
          {task.requireRationale && (
            <label className="mt-3 block text-xs font-medium text-slate-600">
              Why? (one line)
              <input
                value={rationale}
                maxLength={500}
                disabled={submitting}
                onChange={(e) => setRationale(e.target.value)}
                placeholder="What makes the best one best"
                data-testid="ranking-rationale"
                className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm font-normal"
              />
            </label>
          )}
          <ErrorBanner error={error} className="mt-3" />
          <Button className="mt-3 w-full" disabled={!complete || submitting} onClick={() => void submit()} data-testid="submit-ranking">
            {submitting ? "Submitting…" : complete ? "Submit ranking" : remaining > 0 ? `Rank ${remaining} more to submit` : "Give a reason to submit"}
          </Button>
          <Button variant="ghost" className="mt-1 w-full text-xs" disabled={submitting} onClick={() => setAskNotRankable(true)}>
            Cannot rank this…
          </Button>
        </div>
        <ShortcutHelp
          items={[
            { keys: <><Kbd>j</Kbd>/<Kbd>k</Kbd></>, label: "next / previous completion (or ↓ ↑)" },
            { keys: <><Kbd>1</Kbd>–<Kbd>{Math.min(k, 9)}</Kbd></>, label: task.allowTies ? "rank it (a taken rank = tie)" : "rank it (swaps with the holder)" },
            { keys: <><Kbd>0</Kbd>/<Kbd>⌫</Kbd></>, label: "unrank it" },
            { keys: <><Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd></>, label: "submit the ranking" },
          ]}
        />
        <p className="px-1 text-xs text-slate-500">Or drag a completion onto a rank slot.{task.allowTies ? " Drop two on one slot to tie them." : ""}</p>
      </aside>

      {askNotRankable && (
        <ReasonDialog
          title="Cannot rank this prompt"
          confirmLabel="Submit as cannot rank"
          suggestions={NOT_RANKABLE_REASONS}
          busy={submitting}
          onCancel={() => setAskNotRankable(false)}
          onConfirm={(reason) => {
            setAskNotRankable(false);
            void submit(reason);
          }}
        />
      )}
    </div>
  );
}
