// /account: the signed-in user's own account: who they are, changing their password (which signs out their other
// sessions), and, for researchers and admins, their export API tokens.
import type { Metadata } from "next";
import { AppShell } from "~/app/_components/AppShell";
import { Card, PageHeader } from "~/app/_components/ui";
import { AREA_ROLES, ROLE_LABELS } from "~/app/_lib/roles";
import { requireRole } from "~/app/_lib/session";
import { ApiTokens } from "./ApiTokens";
import { ChangePasswordForm } from "./ChangePasswordForm";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireRole(AREA_ROLES["/account"], "/account");
  return (
    <AppShell user={user}>
      <PageHeader title="Your account" subtitle={`${user.email} · ${ROLE_LABELS[user.role]}`} />
      <div className="grid grid-cols-1 items-start gap-5 lg:grid-cols-[24rem_minmax(0,1fr)]">
        <Card title="Change your password">
          <ChangePasswordForm />
        </Card>
        {/* Tokens are for the HTTP export, which researchers and admins may use. */}
        {user.role !== "annotator" && (
          <Card title="Export API tokens">
            <ApiTokens />
          </Card>
        )}
      </div>
    </AppShell>
  );
}
