// /admin/projects/[id]: a project's settings, prompt import and prompt list.
import type { Metadata } from "next";
import { ProjectPage } from "./ProjectPage";

export const metadata: Metadata = { title: "Project" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ProjectPage projectId={id} />;
}
