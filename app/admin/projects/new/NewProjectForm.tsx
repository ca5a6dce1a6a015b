"use client";
// Creates a project and opens its page, where prompts are imported.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "~/app/_lib/trpc";
import { DEFAULT_SETTINGS, ProjectSettingsForm } from "../../_components/ProjectSettingsForm";

export function NewProjectForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.projects.create.mutationOptions({ onSuccess: (project) => router.push(`/admin/projects/${project.id}`) }));
  return (
    <ProjectSettingsForm
      initial={DEFAULT_SETTINGS}
      submitLabel="Create project"
      busy={create.isPending || create.isSuccess}
      error={create.error}
      onSubmit={(values) => create.mutate(values)}
    />
  );
}
