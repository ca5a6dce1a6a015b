"use client";
// The item explorer: search and filter a project's ranked items; open one to see everything about it.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { ItemRankings } from "~/app/_components/ItemRankings";
import { Badge, Button, inputClass, Loading, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { ITEM_FILTERS, type ItemFilter } from "~/server/services/item-filters";

const FILTER_LABELS: Record<ItemFilter, string> = { all: "All items", overlap: "Ranked by 2+", disagree: "Disagreeing", gold: "Gold", review: "In review" };

export function ItemExplorer({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<ItemFilter>("all");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery(trpc.items.list.queryOptions({ projectId, search: search || undefined, filter, page, pageSize: 20 }));
  const item = useQuery({ ...trpc.items.get.queryOptions({ promptId: open ?? "" }), enabled: !!open });
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="space-y-2">
        <div className="flex gap-2">
          <input
            aria-label="Search items"
            placeholder="Search prompts…"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
            className={inputClass}
          />
          <div className="w-40 shrink-0">
            <Select
              id="item-filter"
              value={filter}
              onChange={(v) => {
                setFilter(v as ItemFilter);
                setPage(1);
              }}
              options={ITEM_FILTERS.map((f) => ({ value: f, label: FILTER_LABELS[f] }))}
            />
          </div>
        </div>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorBanner error={list.error} />
        ) : list.data.items.length === 0 ? (
          <p className="text-sm text-slate-500">No items match.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" data-testid="item-list">
            {list.data.items.map((i) => (
              <li key={i.promptId}>
                <button
                  type="button"
                  onClick={() => setOpen(i.promptId)}
                  className={`w-full px-3 py-2 text-left text-sm hover:bg-slate-50 ${open === i.promptId ? "bg-indigo-50" : ""}`}
                >
                  <span className="line-clamp-1 text-slate-800">{i.prompt}</span>
                  <span className="mt-0.5 flex gap-1 text-xs text-slate-500">
                    {i.annotators} annotators · agreement {i.agreement === null ? "—" : i.agreement.toFixed(2)}
                    {i.gold && <Badge tone="amber">gold</Badge>}
                    {i.review && <Badge tone={i.review === "resolved" ? "green" : "indigo"}>review: {i.review}</Badge>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="flex justify-between">
          <Button variant="ghost" disabled={page === 1} onClick={() => setPage((p) => p - 1)}>
            ← Newer
          </Button>
          <Button variant="ghost" disabled={!list.data?.hasMore} onClick={() => setPage((p) => p + 1)}>
            Older →
          </Button>
        </div>
      </div>
      <div>
        {!open ? (
          <p className="text-sm text-slate-500">Open an item to see its prompt, completions, every ranking and its review.</p>
        ) : item.isPending ? (
          <Loading />
        ) : item.isError ? (
          <ErrorBanner error={item.error} />
        ) : (
          <ItemRankings item={item.data} />
        )}
      </div>
    </div>
  );
}
