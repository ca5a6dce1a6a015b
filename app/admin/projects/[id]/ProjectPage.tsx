"use client";
// A project's admin page: settings on the left, the prompt and gold imports on the right, the prompt list below.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Card, Loading, PageHeader } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import type { SelectionStrategy } from "~/server/services/project-settings";
import { ProjectSettingsForm } from "../../_components/ProjectSettingsForm";
import { GoldImport } from "./GoldImport";
import { PromptImport } from "./PromptImport";
import { PromptList } from "./PromptList";

export function ProjectPage({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const project = useQuery(trpc.projects.get.queryOptions({ id: projectId }));
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const update = useMutation(
    trpc.projects.update.mutationOptions({
      onSuccess: async () => {
        setSavedAt(new Date());
        await queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey({ id: projectId }) });
      },
    }),
  );

  if (project.isPending) return <Loading />;
  if (project.isError)
    return (
      <div className="space-y-3">
        <ErrorBanner error={project.error} />
        <Link href="/admin" className="text-sm text-indigo-700 hover:underline">
          ← Back to progress
        </Link>
      </div>
    );

  const p = project.data;
  return (
    <div className="space-y-5">
      <div>
        <Link href="/admin" className="text-sm text-slate-500 hover:text-slate-800">
          ← Progress
        </Link>
        <PageHeader
          title={p.name}
          subtitle="Settings, prompt import and the prompt list."
          actions={
            <Link href={`/admin/projects/${p.id}/leaderboard`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50" data-testid="leaderboard-link">
              Model leaderboard
            </Link>
          }
        />
      </div>
      <div className="grid grid-cols-1 gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card title="Settings">
          <ProjectSettingsForm
            key={p.id}
            initial={{ ...p, selection: p.selection as SelectionStrategy }}
            submitLabel="Save settings"
            busy={update.isPending}
            error={update.error}
            savedNotice={savedAt && !update.isPending && !update.error ? `✓ Saved at ${savedAt.toLocaleTimeString()}` : undefined}
            onSubmit={(values) => update.mutate({ id: p.id, ...values })}
          />
        </Card>
        <div className="space-y-5 self-start">
          <Card title="Import prompts">
            <PromptImport projectId={p.id} />
          </Card>
          <Card title="Gold items">
            <GoldImport projectId={p.id} />
          </Card>
        </div>
      </div>
      <Card title="Prompts">
        <PromptList projectId={p.id} />
      </Card>
    </div>
  );
}
