// Server-side session helpers: read the signed-in user, and send everyone else to /login or their own home.
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "~/db/index";
import { authOptions } from "~/server/auth";
import { findSessionUser } from "~/server/services/sessions";
import { HOME_FOR_ROLE, isRole, type AppRole } from "./roles";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: AppRole;
}

/**
 * The signed-in user as the database knows them now, or null. Checking the session row and the user (not only the
 * JWT) means a signed-out cookie, a reset password or a disabled account loses its pages at once.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = await findSessionUser(getDb(), session?.user);
  if (!user || !isRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** The signed-in user if their role is allowed here; otherwise a redirect to /login or to their own home page. */
export async function requireRole(allowed: readonly AppRole[], currentPath: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(currentPath)}`);
  if (!allowed.includes(user.role)) redirect(HOME_FOR_ROLE[user.role]);
  return user;
}
