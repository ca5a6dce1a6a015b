// /research: a read-only overview: per project, its prompts, demonstrations, rankings and open tasks, with links to
// its model leaderboard and its label-quality page.
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, PageHeader, Stat, TableHead } from "~/app/_components/ui";
import { serverCaller } from "~/app/_lib/server-caller";
import { getDb } from "~/db/index";
import { responseCountsByProject } from "~/server/services/stats";
import { formatCount } from "~/app/_lib/time";
import { ExportPanel } from "./_components/ExportPanel";

export const metadata: Metadata = { title: "Research" };
export const dynamic = "force-dynamic";

export default async function ResearchOverview() {
  const caller = await serverCaller();
  const progress = await caller.stats.projectProgress();
  const responses = await responseCountsByProject(getDb());
  const totals = progress.reduce(
    (sum, p) => {
      const r = responses.get(p.projectId) ?? { demonstrate: 0, rank: 0 };
      return { prompts: sum.prompts + p.prompts, demonstrations: sum.demonstrations + r.demonstrate, rankings: sum.rankings + r.rank };
    },
    { prompts: 0, demonstrations: 0, rankings: 0 },
  );

  return (
    <div>
      <PageHeader title="Research overview" subtitle="What has been collected so far, per project. Read-only." />
      <div className="mb-6 grid grid-cols-3 gap-3">
        <Stat label="Prompts" value={formatCount(totals.prompts)} />
        <Stat label="Demonstrations" value={formatCount(totals.demonstrations)} />
        <Stat label="Rankings" value={formatCount(totals.rankings)} />
      </div>
      {progress.length === 0 ? (
        <EmptyState title="No projects yet" />
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" data-testid="research-table">
            <TableHead columns={["Project", { label: "Prompts", right: true }, { label: "Demonstrations", right: true }, { label: "Rankings", right: true }, { label: "Open tasks", right: true }, { label: "Annotators", right: true }, { label: "Quality", right: true }]} />
            <tbody className="divide-y divide-slate-100">
              {progress.map((p) => {
                const r = responses.get(p.projectId) ?? { demonstrate: 0, rank: 0 };
                return (
                  <tr key={p.projectId}>
                    <td className="px-4 py-3 font-medium text-slate-800">
                      {p.name}{" "}
                      <Link href={`/research/projects/${p.projectId}/leaderboard`} className="ml-2 text-xs font-normal text-indigo-700 hover:underline">
                        leaderboard
                      </Link>
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.prompts)}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatCount(r.demonstrate)}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatCount(r.rank)}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.openTasks)}</td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.perAnnotator.length)}</td>
                    <td className="px-4 py-3 text-right">
                      <Link href={`/research/quality/${p.projectId}`} className="text-indigo-700 hover:underline">
                        Label quality →
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ExportPanel projects={progress.map((p) => p.name)} />
    </div>
  );
}
