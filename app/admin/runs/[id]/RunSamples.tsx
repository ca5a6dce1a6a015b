"use client";
// A sample run's samples: each prompt with its completions and the model that wrote each (annotators see them blind;
// this page is for admins and researchers). Text is shown as written, whitespace kept, never as markdown.
import { useQuery } from "@tanstack/react-query";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Card, Loading } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

export function RunSamples({ runId, live }: { runId: string; live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.runs.samples.queryOptions({ id: runId }), refetchInterval: live ? 2000 : false });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const { prompts, totalCompletions, rankTasks } = q.data;
  return (
    <Card title={`Samples (${totalCompletions} completions, ${rankTasks} ranking tasks${prompts.length < totalCompletions ? `; first ${prompts.length} prompts shown` : ""})`}>
      {prompts.length === 0 ? (
        <p className="text-sm text-slate-500">No samples stored yet.</p>
      ) : (
        <ol className="space-y-4" data-testid="run-samples">
          {prompts.map((p) => (
            <li key={p.promptId} className="space-y-2">
              <p className="whitespace-pre-wrap text-sm font-medium text-slate-800">{p.prompt}</p>
              <ul className="grid gap-2 md:grid-cols-2">
                {p.completions.map((c) => (
                  <li key={c.id} className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2" data-testid="run-sample" data-model={c.model ?? ""}>
                    <Badge tone="indigo">{c.model ?? "unknown model"}</Badge>
                    <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900">{c.text}</p>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
