"use client";
// The users admin: a create form beside the list of accounts with their role, status and actions.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Card, Loading, TableHead } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { CreateUserForm } from "./CreateUserForm";
import { OneTimePassword } from "./OneTimePassword";
import { SignInLimits } from "./SignInLimits";
import { UserRow } from "./UserRow";

export function UsersPage() {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  const [shownPassword, setShownPassword] = useState<{ email: string; password: string } | null>(null);

  return (
    <div className="grid grid-cols-1 gap-5 lg:grid-cols-[20rem_minmax(0,1fr)]">
      <Card title="Create a user" className="self-start">
        <CreateUserForm onCreated={(email, password) => setShownPassword(password ? { email, password } : null)} />
      </Card>
      <div className="space-y-3">
        {shownPassword && <OneTimePassword email={shownPassword.email} password={shownPassword.password} onDismiss={() => setShownPassword(null)} />}
        <SignInLimits />
        <Card title={`Accounts${users.data ? ` (${users.data.length})` : ""}`}>
          {users.isPending && <Loading />}
          <ErrorBanner error={users.error} />
          {users.data && (
            <div className="-m-4 overflow-x-auto">
              <table className="w-full text-left text-sm" data-testid="users-table">
                <TableHead columns={["User", "Role", "Status", { label: "Actions", right: true }]} />
                <tbody className="divide-y divide-slate-100">
                  {users.data.map((user) => (
                    <UserRow key={user.id} user={user} onPasswordReset={(password) => setShownPassword({ email: user.email, password })} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}
