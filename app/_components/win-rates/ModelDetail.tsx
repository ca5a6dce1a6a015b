"use client";
// One model's page: what it is (registered, or an external name from imported completions), where it came from,
// and its win rate against each model its completions met in human rankings, its parent first.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Card, EmptyState, Loading, PageHeader } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { WIN_RATE_METHOD } from "./format";
import { WinRateTable } from "./WinRateTable";

export function ModelDetail({ name, basePath }: { name: string; basePath: string }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
  const rates = useQuery(trpc.models.winRates.queryOptions({ name }));
  const modelHref = (n: string) => `${basePath}/models/${encodeURIComponent(n)}`;
  if (models.isPending || rates.isPending) return <Loading />;
  if (models.isError) return <ErrorBanner error={models.error} />;
  const model = models.data.find((m) => m.name === name);
  return (
    <div className="space-y-5">
      <div>
        <Link href={`${basePath}/models`} className="text-sm text-slate-500 hover:text-slate-800">
          ← Models
        </Link>
        <PageHeader
          title={
            <span className="flex items-center gap-2">
              {name}
              {model ? <Badge tone={model.kind === "reward" ? "amber" : "indigo"}>{model.kind}</Badge> : <Badge>external</Badge>}
            </span>
          }
          subtitle={
            model ? (
              <>
                {model.parent ? (
                  <>
                    Trained from{" "}
                    <Link href={modelHref(model.parent)} className="text-indigo-700 hover:underline">
                      {model.parent}
                    </Link>
                  </>
                ) : (
                  "No parent model"
                )}
                {model.runId && (
                  <>
                    {" "}
                    by a{" "}
                    <Link href={`${basePath}/runs/${model.runId}`} className="text-indigo-700 hover:underline">
                      {model.runKind ?? ""} run
                    </Link>
                  </>
                )}
                {model.summary ? ` · ${model.summary}` : ""}
              </>
            ) : (
              "A model named in imported completions; it is not in the registry."
            )
          }
        />
      </div>
      <Card title="Win rates in human rankings (all projects)">
        {rates.isError ? (
          <ErrorBanner error={rates.error} />
        ) : rates.data.length === 0 ? (
          <EmptyState title="No comparisons yet">No human ranking has put this model&apos;s completions beside another model&apos;s.</EmptyState>
        ) : (
          <>
            <WinRateTable rows={rates.data} modelHref={modelHref} highlight={model?.parent ?? null} />
            <p className="mt-3 text-xs text-slate-500">{WIN_RATE_METHOD}</p>
          </>
        )}
      </Card>
    </div>
  );
}
