"use client";
// A project's leaderboard: every model whose completions met another model's in human rankings, by Bradley–Terry
// rating with its interval, each row opening to its win rates against the others.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Card, EmptyState, Loading, PageHeader } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { RATING_METHOD, WIN_RATE_METHOD } from "./format";
import { WinRateTable } from "./WinRateTable";

export function Leaderboard({ projectId, basePath, backHref }: { projectId: string; basePath: string; backHref: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ id: projectId }));
  const board = useQuery(trpc.models.leaderboard.queryOptions({ projectId }));
  const modelHref = (name: string) => `${basePath}/models/${encodeURIComponent(name)}`;
  if (project.isPending || board.isPending) return <Loading />;
  if (project.isError) return <ErrorBanner error={project.error} />;
  if (board.isError) return <ErrorBanner error={board.error} />;
  const rows = board.data;
  const span = rows.length ? { low: Math.min(...rows.map((r) => r.ratingLow)), high: Math.max(...rows.map((r) => r.ratingHigh)) } : { low: 0, high: 1 };
  const at = (x: number) => `${((x - span.low) / Math.max(1e-9, span.high - span.low)) * 100}%`;
  return (
    <div className="space-y-5">
      <div>
        <Link href={backHref} className="text-sm text-slate-500 hover:text-slate-800">
          ← {project.data.name}
        </Link>
        <PageHeader title={`Leaderboard · ${project.data.name}`} subtitle="Models compared blind by this project's annotators, from every ranking where two models' completions met." />
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No comparisons yet">
          Import prompts with completions from two or more named models (&quot;completions&quot;: [{"{"}&quot;text&quot;, &quot;model&quot;{"}"}, …]), and rank them.
        </EmptyState>
      ) : (
        <Card title={`${rows.length} models`}>
          <table className="w-full text-left text-sm" data-testid="leaderboard">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="w-10 py-1.5 pr-2 font-semibold">#</th>
                <th className="py-1.5 pr-3 font-semibold">Model</th>
                <th className="px-3 py-1.5 text-right font-semibold">Rating</th>
                <th className="px-3 py-1.5 font-semibold">95% interval</th>
                <th className="px-3 py-1.5 text-right font-semibold">Comparisons</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <Fragment key={r.name}>
                  <tr className="border-t border-slate-100" data-testid="leaderboard-row" data-model={r.name}>
                    <td className="py-2.5 pr-2 tabular-nums text-slate-400">{i + 1}</td>
                    <td className="py-2.5 pr-3">
                      <Link href={modelHref(r.name)} className="font-medium text-indigo-700 hover:underline">
                        {r.name}
                      </Link>{" "}
                      {!r.registered && <Badge>external</Badge>}
                    </td>
                    <td className="px-3 py-2.5 text-right text-base font-semibold tabular-nums" data-testid="rating">
                      {Math.round(r.rating)}
                    </td>
                    <td className="px-3 py-2.5">
                      <div className="flex items-center gap-3">
                        <div className="relative h-2.5 w-48 rounded bg-slate-100" aria-hidden>
                          <div className="absolute inset-y-0 rounded bg-emerald-200" style={{ left: at(r.ratingLow), width: `calc(${at(r.ratingHigh)} - ${at(r.ratingLow)})` }} />
                          <div className="absolute -inset-y-0.5 w-0.5 rounded bg-emerald-700" style={{ left: `calc(${at(r.rating)} - 1px)` }} />
                        </div>
                        <span className="whitespace-nowrap text-xs tabular-nums text-slate-500">
                          {Math.round(r.ratingLow)} – {Math.round(r.ratingHigh)}
                        </span>
                      </div>
                    </td>
                    <td className="px-3 py-2.5 text-right tabular-nums text-slate-600">{r.comparisons}</td>
                  </tr>
                  <tr>
                    <td />
                    <td colSpan={4} className="pb-3 pr-3">
                      <div className="rounded-md bg-slate-50 px-3 py-1">
                        <WinRateTable rows={r.winRates} modelHref={modelHref} />
                      </div>
                    </td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
          <p className="mt-3 text-xs text-slate-500">{RATING_METHOD}</p>
          <p className="mt-1 text-xs text-slate-500">{WIN_RATE_METHOD}</p>
        </Card>
      )}
    </div>
  );
}
