// /admin/projects/[id]/leaderboard: the project's models by Bradley–Terry rating, with win rates.
import type { Metadata } from "next";
import { Leaderboard } from "~/app/_components/win-rates/Leaderboard";

export const metadata: Metadata = { title: "Leaderboard" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <Leaderboard projectId={id} basePath="/admin" backHref={`/admin/projects/${id}`} />;
}
