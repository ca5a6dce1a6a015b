// /admin/models: the model registry with its lineage, and a shortcut to train from any model.
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { AddEndpointForm } from "./AddEndpointForm";
import { ModelsPage } from "./ModelsPage";

export const metadata: Metadata = { title: "Models" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Models" subtitle="Policies and reward models, each under the model it was trained from." />
      <div className="space-y-4">
        <ModelsPage canEdit basePath="/admin" />
        <AddEndpointForm />
      </div>
    </div>
  );
}
