// Research pages are for researchers and admins; annotators go to their own home page.
import type { ReactNode } from "react";
import { AppShell } from "~/app/_components/AppShell";
import { AREA_ROLES } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";

export const dynamic = "force-dynamic";

export default async function ResearchLayout({ children }: { children: ReactNode }) {
  const user = await requireRole(AREA_ROLES["/research"], "/research");
  return <AppShell user={user}>{children}</AppShell>;
}
