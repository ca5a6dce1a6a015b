// Annotation pages are for annotators (and admins trying the queue); everyone else goes to their own home.
import type { ReactNode } from "react";
import { AppShell } from "~/app/_components/AppShell";
import { AREA_ROLES } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";

export const dynamic = "force-dynamic";

export default async function AnnotateLayout({ children }: { children: ReactNode }) {
  const user = await requireRole(AREA_ROLES["/annotate"], "/annotate");
  return (
    <AppShell user={user} wide>
      {children}
    </AppShell>
  );
}
