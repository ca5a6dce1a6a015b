// /admin/runs: start training runs (queued for the worker) and watch them; ?kind=&base=&reward= pre-fill the form.
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { RunsPage } from "./_components/RunsPage";
import { isRunKind, runKindNames } from "~/server/services/run-kinds/index";

const KIND_NAMES = runKindNames();

export const metadata: Metadata = { title: "Runs" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" && v ? v : undefined);

export default async function Page({ searchParams }: { searchParams: Promise<Search> }) {
  const q = await searchParams;
  const kind = one(q.kind);
  return (
    <div>
      <PageHeader title="Training runs" subtitle={`${KIND_NAMES} runs. The worker runs queued runs one at a time.`} />
      <RunsPage canEdit basePath="/admin" prefill={{ kind: isRunKind(kind) ? kind : undefined, base: one(q.base), reward: one(q.reward) }} />
    </div>
  );
}
