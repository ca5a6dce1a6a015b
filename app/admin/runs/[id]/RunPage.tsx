"use client";
// One run: what it trains from what, its status and times, its metric charts and log tail; refreshed while active.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Card, Loading, PageHeader } from "~/app/_components/ui";
import { formatDuration } from "~/app/_lib/time";
import { useTRPC } from "~/app/_lib/trpc";
import { formatWhen, isActive, ProgressBar, RunStatusBadge } from "../_components/RunStatus";
import { POLL_MS } from "../_components/RunsPage";
import { isRunKind, RUN_KIND_DESCRIPTORS } from "~/server/services/run-kinds/index";
import { CancelRun } from "./CancelRun";
import { LogTail } from "./LogTail";
import { MetricCharts } from "./MetricCharts";
import { RunSamples } from "./RunSamples";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 truncate text-sm text-slate-800">{children}</dd>
    </div>
  );
}

export function RunPage({ runId, canEdit, basePath }: { runId: string; canEdit: boolean; basePath: string }) {
  const trpc = useTRPC();
  const detail = useQuery({
    ...trpc.runs.get.queryOptions({ id: runId }),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.run.status) ? POLL_MS : false),
  });
  const back = (
    <Link href={`${basePath}/runs`} className="text-sm text-slate-500 hover:text-slate-800">
      ← Runs
    </Link>
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError)
    return (
      <div className="space-y-3">
        {back}
        <ErrorBanner error={detail.error} />
      </div>
    );

  const { run, metrics, logs } = detail.data;
  const modelLink = (name: string | null) =>
    name ? (
      <Link href={`${basePath}/models#model-${name}`} className="text-indigo-700 hover:underline">
        {name}
      </Link>
    ) : (
      "—"
    );

  return (
    <div className="space-y-5">
      <div>
        {back}
        <PageHeader
          title={
            <span className="flex items-center gap-2">
              {run.name ?? `${run.kind} run`} <RunStatusBadge status={run.status} />
            </span>
          }
          subtitle={`${isRunKind(run.kind) ? RUN_KIND_DESCRIPTORS[run.kind].label : run.kind} · run ${run.id}`}
          actions={canEdit && isActive(run.status) ? <CancelRun runId={run.id} /> : undefined}
        />
      </div>
      {run.status === "failed" && run.error && <ErrorBanner error={`This run failed: ${run.error}`} />}
      <Card>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-4">
          <Fact label="Progress">
            <ProgressBar value={run.progress} status={run.status} />
          </Fact>
          <Fact label="Base model">{modelLink(run.baseModel)}</Fact>
          <Fact label="Reward model">{modelLink(run.rewardModel)}</Fact>
          <Fact label="Output model">
            {run.outputModel ? modelLink(run.outputModel) : <span className="text-slate-500">{run.name ? `${run.name} (when done)` : "—"}</span>}
          </Fact>
          <Fact label="Created">{formatWhen(run.createdAt)}</Fact>
          <Fact label="Started">{formatWhen(run.startedAt)}</Fact>
          <Fact label="Finished">{formatWhen(run.finishedAt)}</Fact>
          <Fact label={run.finishedAt ? "Took" : "Running for"}>{formatDuration(run.durationMs)}</Fact>
        </dl>
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer select-none text-slate-500">Config</summary>
          <pre className="mt-1 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs text-slate-700">{JSON.stringify(run.config, null, 2)}</pre>
        </details>
      </Card>
      {run.kind === "sample" && <RunSamples runId={run.id} live={isActive(run.status)} />}
      <Card title="Metrics">
        <MetricCharts series={metrics} />
      </Card>
      <Card title={`Log${logs.length ? ` (last ${logs.length} lines)` : ""}`}>
        <LogTail lines={logs} />
      </Card>
    </div>
  );
}
