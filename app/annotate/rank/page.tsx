// /annotate/rank?project=…: rank the completions of one prompt after another.
import type { Metadata } from "next";
import { RankPage } from "./RankPage";

export const metadata: Metadata = { title: "Rank completions" };

export default async function Page({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { project } = await searchParams;
  return <RankPage projectId={project || undefined} />;
}
