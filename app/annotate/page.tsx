// /annotate: the annotator's own figures and, per project, the way into each task queue with its open count.
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader, Stat, EmptyState } from "~/app/_components/ui";
import { serverCaller } from "~/app/_lib/server-caller";
import { AREA_ROLES } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";
import { formatCount, formatDuration } from "~/app/_lib/time";
import { getDb } from "~/db/index";
import { openTaskCountsFor } from "~/server/services/stats";

export const metadata: Metadata = { title: "My tasks" };
export const dynamic = "force-dynamic";

export default async function AnnotateDashboard() {
  const user = await requireRole(AREA_ROLES["/annotate"], "/annotate");
  const caller = await serverCaller();
  const [stats, projects] = await Promise.all([caller.stats.mine(), caller.projects.list()]);
  const open = await openTaskCountsFor(getDb(), user.id);

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader title="My tasks" subtitle={`Signed in as ${user.email}`} />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-5">
        <Stat label="Today" value={formatCount(stats.today)} testId="stat-today" />
        <Stat label="Total" value={formatCount(stats.total)} testId="stat-total" />
        <Stat label="Median time / task" value={formatDuration(stats.medianTimeMs)} testId="stat-median" />
        <Stat label="Demonstrations" value={formatCount(stats.byKind.demonstrate)} testId="stat-demonstrations" />
        <Stat label="Rankings" value={formatCount(stats.byKind.rank)} testId="stat-rankings" />
      </div>

      <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500">Projects</h2>
      {projects.length === 0 ? (
        <EmptyState title="No projects yet">An admin has to create a project and import prompts first.</EmptyState>
      ) : (
        <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
          {projects.map((project) => {
            const counts = open.get(project.id) ?? { demonstrate: 0, rank: 0 };
            return (
              <section key={project.id} className="flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="project-card" data-project={project.name}>
                <h3 className="font-semibold text-slate-900">{project.name}</h3>
                <p className="mt-1 line-clamp-2 min-h-10 text-sm text-slate-500">{firstLine(project.guidelines) || "No guidelines."}</p>
                <p className="mt-2 text-xs text-slate-400">
                  {project.k} completions per ranking{project.allowTies ? " · ties allowed" : ""}
                </p>
                <div className="mt-4 flex flex-wrap gap-2">
                  <QueueLink href={`/annotate/demonstrate?project=${project.id}`} label="Write demonstrations" open={counts.demonstrate} />
                  <QueueLink href={`/annotate/rank?project=${project.id}`} label="Rank completions" open={counts.rank} />
                </div>
              </section>
            );
          })}
        </div>
      )}
    </div>
  );
}

/** The guidelines' first line of body text (headings skipped, markdown markers removed) as a plain-text teaser. */
function firstLine(markdown: string): string {
  const line = markdown
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .map((l) => l.replace(/^[>*\-\s\d.]+/, "").replace(/[*_`]/g, "").trim())
    .find((l) => l.length > 0);
  return line ?? "";
}

function QueueLink({ href, label, open }: { href: string; label: string; open: number }) {
  const base = "inline-flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium";
  if (open === 0)
    return (
      <span className={`${base} cursor-not-allowed border border-slate-200 text-slate-400`} aria-disabled="true">
        {label}
        <span className="rounded bg-slate-100 px-1.5 text-xs tabular-nums">0</span>
      </span>
    );
  return (
    <Link href={href} className={`${base} border border-transparent bg-indigo-600 text-white shadow-sm hover:bg-indigo-500`}>
      {label}
      <span className="rounded bg-indigo-500/60 px-1.5 text-xs tabular-nums" data-testid="open-count">
        {formatCount(open)}
      </span>
    </Link>
  );
}
