"use client";
// The runs page: the new-run form (admins) beside the list of runs, refreshed every 2 s while any run is active.
import { useQuery } from "@tanstack/react-query";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Card, EmptyState, Loading } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { NewRunForm, type RunPrefill } from "./NewRunForm";
import { RunsTable } from "./RunsTable";
import { isActive } from "./RunStatus";

export const POLL_MS = 2000;

export function RunsPage({ canEdit, basePath, prefill = {} }: { canEdit: boolean; basePath: string; prefill?: RunPrefill }) {
  const trpc = useTRPC();
  const runs = useQuery({
    ...trpc.runs.list.queryOptions(),
    refetchInterval: (query) => (query.state.data?.some((r) => isActive(r.status)) ? POLL_MS : false),
  });
  const active = runs.data?.filter((r) => isActive(r.status)).length ?? 0;

  const list = (
    <Card
      title={`Runs${runs.data ? ` (${runs.data.length})` : ""}`}
      actions={active > 0 && <span className="text-xs text-slate-500">{active} active · refreshing every 2 s</span>}
    >
      {runs.isPending && <Loading />}
      <ErrorBanner error={runs.error} />
      {runs.data && runs.data.length === 0 && (
        <EmptyState title="No runs yet">{canEdit ? "Start one with the form." : "Admins start runs; they will show up here."}</EmptyState>
      )}
      {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} basePath={basePath} />}
    </Card>
  );

  if (!canEdit) return list;
  return (
    <div className="grid grid-cols-1 gap-5 lg:grid-cols-[20rem_minmax(0,1fr)]">
      <Card title="New run" className="self-start">
        <NewRunForm prefill={prefill} basePath={basePath} />
      </Card>
      <div className="min-w-0">{list}</div>
    </div>
  );
}
