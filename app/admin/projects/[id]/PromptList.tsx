"use client";
// A project's prompts: search by text, filter by split, and page through them.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Button, inputClass } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { formatCount } from "~/app/_lib/time";

const PAGE_SIZE = 20;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function PromptList({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [split, setSplit] = useState<"" | "train" | "test">("");
  const [page, setPage] = useState(1);
  const debouncedSearch = useDebounced(search.trim(), 300);

  useEffect(() => setPage(1), [debouncedSearch, split]);

  const list = useQuery({
    ...trpc.prompts.list.queryOptions({ projectId, search: debouncedSearch || undefined, split: split || undefined, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <div className="w-full max-w-sm">
          <input
            type="search"
            aria-label="Search prompts"
            placeholder="Search prompt text…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className={inputClass}
            data-testid="prompt-search"
          />
        </div>
        <div className="w-36">
          <select aria-label="Split" value={split} onChange={(e) => setSplit(e.target.value as typeof split)} className={inputClass}>
            <option value="">All splits</option>
            <option value="train">train</option>
            <option value="test">test</option>
          </select>
        </div>
        <span className="ml-auto text-sm text-slate-500" data-testid="prompt-count">
          {list.data ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}` : ""}
        </span>
      </div>
      <ErrorBanner error={list.error} />
      <div className="overflow-x-auto rounded-md border border-slate-200">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2 font-semibold">Prompt</th>
              <th className="px-3 py-2 font-semibold">Split</th>
              <th className="px-3 py-2 font-semibold">Tags</th>
              <th className="px-3 py-2 font-semibold">External id</th>
              <th className="px-3 py-2 text-right font-semibold" title="Completions · demonstrations · rankings">
                Compl. / Demos / Ranks
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="prompt-rows">
            {list.data?.items.map((prompt) => (
              <tr key={prompt.id} className="align-top">
                <td className="max-w-xl px-3 py-2">
                  <p className="line-clamp-2 whitespace-pre-wrap break-words text-slate-800">{prompt.text}</p>
                </td>
                <td className="px-3 py-2">
                  <Badge tone={prompt.split === "test" ? "amber" : "slate"}>{prompt.split}</Badge>
                </td>
                <td className="px-3 py-2">
                  <div className="flex flex-wrap gap-1">
                    {prompt.tags.map((tag) => (
                      <Badge key={tag} tone="indigo">
                        {tag}
                      </Badge>
                    ))}
                  </div>
                </td>
                <td className="px-3 py-2 font-mono text-xs text-slate-500">{prompt.externalId ?? "—"}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-600" data-testid="prompt-counts">
                  {prompt.completionCount} / {prompt.demonstrationCount} / {prompt.rankingCount}
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={5} className="px-3 py-8 text-center text-slate-400">
                  {debouncedSearch || split ? "No prompts match." : "No prompts yet. Import a JSONL or CSV file above."}
                </td>
              </tr>
            )}
            {list.isPending && (
              <tr>
                <td colSpan={5} className="px-3 py-8 text-center text-slate-400">
                  Loading…
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="flex items-center justify-end gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
          ← Previous
        </Button>
        <span className="text-sm tabular-nums text-slate-600">
          Page {page} of {pages}
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
          Next →
        </Button>
      </div>
    </div>
  );
}
