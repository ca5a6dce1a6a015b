// /research/runs/[id]: one run's status, metric charts and log, read-only.
import type { Metadata } from "next";
import { RunPage } from "~/app/admin/runs/[id]/RunPage";

export const metadata: Metadata = { title: "Run" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunPage runId={id} canEdit={false} basePath="/research" />;
}
