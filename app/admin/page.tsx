// /admin: progress per project (prompts, open tasks, responses) and each annotator's submitted count.
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, PageHeader, TableHead } from "~/app/_components/ui";
import { serverCaller } from "~/app/_lib/server-caller";
import { formatCount } from "~/app/_lib/time";

export const metadata: Metadata = { title: "Progress" };
export const dynamic = "force-dynamic";

export default async function AdminProgress() {
  const caller = await serverCaller();
  const progress = await caller.stats.projectProgress();
  return (
    <div>
      <PageHeader
        title="Progress"
        subtitle="Every project's prompts, open tasks and submitted responses."
        actions={
          <Link href="/admin/projects/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500">
            New project
          </Link>
        }
      />
      {progress.length === 0 ? (
        <EmptyState title="No projects yet">Create a project, then import prompts into it.</EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" data-testid="progress-table">
            <TableHead columns={["Project", { label: "Prompts", right: true }, { label: "Open tasks", right: true }, { label: "Responses", right: true }, "Per annotator"]} />
            <tbody className="divide-y divide-slate-100">
              {progress.map((p) => (
                <tr key={p.projectId} className="align-top">
                  <td className="px-4 py-3">
                    <Link href={`/admin/projects/${p.projectId}`} className="font-medium text-indigo-700 hover:underline">
                      {p.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.prompts)}</td>
                  <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.openTasks)}</td>
                  <td className="px-4 py-3 text-right tabular-nums">{formatCount(p.responses)}</td>
                  <td className="px-4 py-3">
                    {p.perAnnotator.length === 0 ? (
                      <span className="text-slate-400">No responses yet</span>
                    ) : (
                      <div className="flex flex-wrap gap-1.5">
                        {p.perAnnotator.map((a) => (
                          <span key={a.email} className="inline-flex items-center gap-1 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                            {a.email}
                            <span className="font-semibold tabular-nums">{a.count}</span>
                          </span>
                        ))}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
