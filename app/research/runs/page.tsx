// /research/runs: the training runs, read-only (admins start and cancel them under /admin/runs).
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { RunsPage } from "~/app/admin/runs/_components/RunsPage";
import { runKindNames } from "~/server/services/run-kinds/index";

const KIND_NAMES = runKindNames();

export const metadata: Metadata = { title: "Runs" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Training runs" subtitle={`${KIND_NAMES} runs with their metrics. Read-only.`} />
      <RunsPage canEdit={false} basePath="/research" />
    </div>
  );
}
