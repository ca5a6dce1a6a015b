// /admin/runs/[id]: one run's status, metric charts and log; admins can cancel it while it is queued or running.
import type { Metadata } from "next";
import { RunPage } from "./RunPage";

export const metadata: Metadata = { title: "Run" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunPage runId={id} canEdit basePath="/admin" />;
}
