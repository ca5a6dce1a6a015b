// /admin/projects/new: the settings of a new project.
import type { Metadata } from "next";
import { Card, PageHeader } from "~/app/_components/ui";
import { NewProjectForm } from "./NewProjectForm";

export const metadata: Metadata = { title: "New project" };

export default function NewProjectPage() {
  return (
    <div className="max-w-4xl">
      <PageHeader title="New project" subtitle="Settings can be changed later; prompts are imported on the next page." />
      <Card>
        <NewProjectForm />
      </Card>
    </div>
  );
}
