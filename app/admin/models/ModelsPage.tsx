"use client";
// The model registry as a lineage tree: each model under its parent, with the run that made it and a config summary.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Card, EmptyState, Loading } from "~/app/_components/ui";
import { useTRPC, type RouterOutputs } from "~/app/_lib/trpc";
import { formatWhen } from "../runs/_components/RunStatus";
import { lineageOrder } from "./lineage";

type Model = RouterOutputs["models"]["list"][number];

function TrainFrom({ model }: { model: Model }) {
  // An endpoint cannot be trained here; it can be sampled.
  if (model.endpoint)
    return (
      <Link href="/admin/playground" className="whitespace-nowrap text-sm font-medium text-indigo-700 hover:underline">
        Try it
      </Link>
    );
  const href = model.kind === "reward" ? `/admin/runs?kind=ppo&reward=${encodeURIComponent(model.name)}` : `/admin/runs?base=${encodeURIComponent(model.name)}`;
  return (
    <Link href={href} className="whitespace-nowrap text-sm font-medium text-indigo-700 hover:underline" data-testid="train-from">
      {model.kind === "reward" ? "PPO with this RM" : "Train from this"}
    </Link>
  );
}

export function ModelsPage({ canEdit, basePath }: { canEdit: boolean; basePath: string }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
  if (models.isPending) return <Loading />;
  if (models.isError) return <ErrorBanner error={models.error} />;
  if (!models.data.length)
    return <EmptyState title="No models registered">&apos;npm run rlhf -- models list&apos; registers the built-in &apos;base&apos; model; &apos;rlhf models import-hf DIR --name N&apos; imports a GPT-2 checkpoint.</EmptyState>;

  return (
    <Card title={`Models (${models.data.length})`}>
      <div className="-m-4 overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="models-table">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2 font-semibold">Model</th>
              <th className="px-4 py-2 font-semibold">Made by</th>
              <th className="px-4 py-2 font-semibold">Tokenizer</th>
              <th className="px-4 py-2 font-semibold">Config</th>
              <th className="px-4 py-2 font-semibold">Created</th>
              {canEdit && <th className="px-4 py-2 text-right font-semibold">Actions</th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {lineageOrder(models.data).map(({ model, depth }) => (
              <tr key={model.id} id={`model-${model.name}`} data-testid="model-row" data-model={model.name} className="align-top target:bg-indigo-50">
                <td className="px-4 py-2.5">
                  <div className="flex items-center gap-2" style={{ paddingLeft: `${depth * 1.25}rem` }}>
                    {depth > 0 && <span className="text-slate-300" aria-hidden>↳</span>}
                    <Link href={`${basePath}/models/${encodeURIComponent(model.name)}`} className="font-medium text-slate-800 hover:text-indigo-700 hover:underline">
                      {model.name}
                    </Link>
                    <Badge tone={model.kind === "reward" ? "amber" : "indigo"}>{model.kind}</Badge>
                  </div>
                  {model.parent && depth === 0 && <div className="text-xs text-slate-400">from {model.parent}</div>}
                </td>
                <td className="px-4 py-2.5 text-xs">
                  {model.runId ? (
                    <Link href={`${basePath}/runs/${model.runId}`} className="text-indigo-700 hover:underline">
                      {model.runKind ?? "run"} run
                    </Link>
                  ) : (
                    <span className="text-slate-400">{model.endpoint ? "registered endpoint" : "imported"}</span>
                  )}
                </td>
                <td className="px-4 py-2.5 font-mono text-xs text-slate-600">
                  {model.endpoint ? <span title={model.endpoint.baseUrl}>endpoint: {model.endpoint.model}</span> : model.tokenizer}
                </td>
                <td className="max-w-xs px-4 py-2.5 text-xs text-slate-500">{model.summary || "—"}</td>
                <td className="whitespace-nowrap px-4 py-2.5 text-xs text-slate-500">{formatWhen(model.createdAt)}</td>
                {canEdit && (
                  <td className="px-4 py-2.5 text-right">
                    <TrainFrom model={model} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
