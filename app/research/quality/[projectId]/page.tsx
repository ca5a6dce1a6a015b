// /research/quality/[projectId]: a project's label quality: agreement, annotator reliability, distributions, items.
import type { Metadata } from "next";
import { QualityPage } from "./QualityPage";

export const metadata: Metadata = { title: "Label quality" };

export default async function Page({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <QualityPage projectId={projectId} />;
}
