// /account: the signed-in user's own account: who they are, and changing their password (which signs out their
// other sessions).
import type { Metadata } from "next";
import { AppShell } from "~/app/_components/AppShell";
import { Card, PageHeader } from "~/app/_components/ui";
import { AREA_ROLES, ROLE_LABELS } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";
import { ChangePasswordForm } from "./ChangePasswordForm";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireRole(AREA_ROLES["/account"], "/account");
  return (
    <AppShell user={user}>
      <PageHeader title="Your account" subtitle={`${user.email} · ${ROLE_LABELS[user.role]}`} />
      <div className="max-w-md">
        <Card title="Change your password">
          <ChangePasswordForm />
        </Card>
      </div>
    </AppShell>
  );
}
