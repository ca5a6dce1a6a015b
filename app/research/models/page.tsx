// /research/models: the model registry with its lineage, read-only.
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { ModelsPage } from "~/app/admin/models/ModelsPage";

export const metadata: Metadata = { title: "Models" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Models" subtitle="Policies and reward models, each under the model it was trained from. Read-only." />
      <ModelsPage canEdit={false} basePath="/research" />
    </div>
  );
}
