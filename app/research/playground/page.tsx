// /research/playground: generate from any policy (ours or an endpoint), or two side by side on the same prompt.
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { PlaygroundPage } from "~/app/admin/playground/PlaygroundPage";

export const metadata: Metadata = { title: "Playground" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Playground" subtitle="Sample any policy, ours or an endpoint; pick a second one to compare them on the same prompt." />
      <PlaygroundPage />
    </div>
  );
}
