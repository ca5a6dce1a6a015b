// The sign-in page; a signed-in user goes straight to their home page.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { HOME_FOR_ROLE } from "~/app/_lib/roles";
import { safeCallback } from "~/app/_lib/safe-callback";
import { getSessionUser } from "~/app/_lib/session";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";


export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getSessionUser();
  if (user) redirect(HOME_FOR_ROLE[user.role]);
  const params = await searchParams;
  return (
    <div className="flex min-h-screen items-center justify-center bg-gradient-to-br from-slate-900 via-slate-800 to-indigo-900 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-white">
          <span className="grid h-8 w-8 place-items-center rounded-md bg-indigo-500 text-sm font-bold">RW</span>
          <span className="text-lg font-semibold tracking-tight">RLHF Workbench</span>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-2xl">
          <h1 className="text-lg font-semibold text-slate-900">Sign in</h1>
          <p className="mb-5 mt-1 text-sm text-slate-500">Use the account your admin created for you.</p>
          <LoginForm callbackUrl={safeCallback(params.callbackUrl)} />
        </div>
        <p className="mt-4 text-center text-xs text-slate-400">Demonstrations · Comparisons · Reward models · PPO</p>
      </div>
    </div>
  );
}
