// Review pages are for reviewers and admins.
import type { ReactNode } from "react";
import { AppShell } from "~/app/_components/AppShell";
import { AREA_ROLES } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";

export const dynamic = "force-dynamic";

export default async function ReviewLayout({ children }: { children: ReactNode }) {
  const user = await requireRole(AREA_ROLES["/review"], "/review");
  return <AppShell user={user}>{children}</AppShell>;
}
