// The signed-in frame: a top nav with the product name, role links, the user, their role and sign-out.
import Link from "next/link";
import type { ReactNode } from "react";
import { HOME_FOR_ROLE, ROLE_LABELS } from "~/app/_lib/roles";
import type { SessionUser } from "~/app/_lib/session";
import { NavLinks } from "./NavLinks";
import { SignOutButton } from "./SignOutButton";

export function AppShell({ user, children, wide }: { user: SessionUser; children: ReactNode; wide?: boolean }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex h-12 max-w-screen-2xl items-center gap-4 px-4">
          {/* On a laptop-width screen the admin's links need the room: the name shows from 1280 px up. */}
          <Link href={HOME_FOR_ROLE[user.role]} className="flex shrink-0 items-center gap-2 text-sm font-semibold tracking-tight" title="RLHF Workbench">
            <span className="grid h-6 w-6 place-items-center rounded bg-indigo-500 text-xs font-bold">RW</span>
            <span className="hidden xl:inline">RLHF Workbench</span>
          </Link>
          <NavLinks role={user.role} />
          <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
            <Link href="/account" className="hidden text-slate-300 hover:text-white lg:inline" data-testid="nav-user" title="Your account: change your password">
              {user.name || user.email}
            </Link>
            <span className="rounded bg-slate-700 px-1.5 py-0.5 text-xs font-medium text-slate-100" data-testid="nav-role">
              {ROLE_LABELS[user.role]}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className={`mx-auto w-full flex-1 px-4 py-6 ${wide ? "max-w-screen-2xl" : "max-w-6xl"}`}>{children}</main>
    </div>
  );
}
