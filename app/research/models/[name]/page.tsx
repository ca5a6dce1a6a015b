// /research/models/[name]: one model (registered or external) and its win rates.
import type { Metadata } from "next";
import { ModelDetail } from "~/app/_components/win-rates/ModelDetail";

export const metadata: Metadata = { title: "Model" };

export default async function Page({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ModelDetail name={decodeURIComponent(name)} basePath="/research" />;
}
