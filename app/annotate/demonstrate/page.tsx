// /annotate/demonstrate?project=…: write the ideal response to one prompt after another.
import type { Metadata } from "next";
import { DemonstratePage } from "./DemonstratePage";

export const metadata: Metadata = { title: "Write demonstrations" };

export default async function Page({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { project } = await searchParams;
  return <DemonstratePage projectId={project || undefined} />;
}
