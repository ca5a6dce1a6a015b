// Signed-in sessions: one row per sign-in, named by the session cookie. A request is signed in only while its row
// is live and its user enabled, so ending a session (sign-out) or all of a user's sessions (password reset, disable,
// role change) takes effect on the next request, whatever cookies are still out there.
import { and, eq, gt, isNull, lt, ne, or } from "drizzle-orm";
import type { Db } from "../../db/index";
import { rowsChanged } from "../../db/sql-fragments";
import { sessions, users, type Role } from "../../db/schema";
import type { DbOrTx } from "./audit";

/** How long a session lasts without signing in again (the cookie's own lifetime is the same). */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Starts a session for a user who just signed in; returns its id, to be carried in the cookie. */
export async function startSession(db: DbOrTx, userId: string, now = new Date()): Promise<string> {
  return (await db
    .insert(sessions)
    .values({ userId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_S * 1000) })
    .returning({ id: sessions.id }))[0].id;
}

/** Ends one session (sign-out). Unknown or already ended ids are fine: the result is the same. */
export async function endSession(db: DbOrTx, sessionId: string, now = new Date()): Promise<void> {
  await db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Ends every live session of a user, except `keep` (the one changing its own password stays signed in). */
export async function endUserSessions(db: DbOrTx, userId: string, opts: { keep?: string; now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const mine = and(eq(sessions.userId, userId), isNull(sessions.revokedAt), opts.keep ? ne(sessions.id, opts.keep) : undefined);
  return rowsChanged(await db.update(sessions).set({ revokedAt: now }).where(mine));
}

/**
 * The user behind a session cookie's claims, as the database knows them now; undefined when the session was ended,
 * has expired, belongs to someone else, or its user is disabled or gone.
 */
export async function findSessionUser(db: DbOrTx, claims: { id?: string | null; sid?: string | null } | null | undefined, now = new Date()): Promise<SessionUser | undefined> {
  if (!claims?.id || !claims.sid) return undefined;
  const row = (await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), eq(users.disabled, false))))[0];
  return row;
}

/** Deletes sessions that ended or expired more than a day ago (their cookies can no longer be used anyway). */
export async function pruneSessions(db: Db, now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000);
  return rowsChanged(await db.delete(sessions).where(or(lt(sessions.expiresAt, dayAgo), lt(sessions.revokedAt, dayAgo))));
}
