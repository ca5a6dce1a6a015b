// /research/runs: the training runs, read-only (admins start and cancel them under /admin/runs).
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { RunsPage } from "~/app/admin/runs/_components/RunsPage";

export const metadata: Metadata = { title: "Runs" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Training runs" subtitle="SFT, reward model, PPO and DPO runs with their metrics. Read-only." />
      <RunsPage canEdit={false} basePath="/research" />
    </div>
  );
}
