// Server-side session helpers: read the signed-in user, and send everyone else to /login or their own home.
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "~/server/auth";
import { HOME_FOR_ROLE, isRole, type AppRole } from "./roles";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: AppRole;
}

/** The signed-in user, or null (no session, or a session without a known role). */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as Partial<SessionUser> | undefined;
  if (!user || !isRole(user.role)) return null;
  return { id: String(user.id ?? ""), email: String(user.email ?? ""), name: String(user.name ?? ""), role: user.role };
}

/** The signed-in user if their role is allowed here; otherwise a redirect to /login or to their own home page. */
export async function requireRole(allowed: AppRole[], currentPath: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(currentPath)}`);
  if (!allowed.includes(user.role)) redirect(HOME_FOR_ROLE[user.role]);
  return user;
}
