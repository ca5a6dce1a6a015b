// /admin/users: create accounts, change roles, disable or enable them, reset passwords.
import type { Metadata } from "next";
import { PageHeader } from "~/app/_components/ui";
import { UsersPage } from "./UsersPage";

export const metadata: Metadata = { title: "Users" };

export default function Page() {
  return (
    <div>
      <PageHeader title="Users" subtitle="Annotators write and rank; researchers browse and export; admins manage everything." />
      <UsersPage />
    </div>
  );
}
