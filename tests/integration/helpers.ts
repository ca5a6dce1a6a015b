// Test helpers: users of each role on a temp database, and tRPC callers signed in as them.
import type { Session } from "next-auth";
import type { Db } from "../../db/index";
import { users, type Role } from "../../db/schema";
import { createCaller } from "../../server/routers/_app";
import { createTRPCContext } from "../../server/trpc";
import { startSession } from "../../server/services/sessions";
import { hashPassword } from "../../server/services/users";

let counter = 0;
let sharedHash: string | undefined;

export const TEST_PASSWORD = "password123";

/** Creates a user straight in the database; all share one bcrypt hash of TEST_PASSWORD so tests stay fast. */
export async function makeUser(db: Db, role: Role, email = `${role}-${++counter}@test.local`) {
  sharedHash ??= hashPassword(TEST_PASSWORD);
  return (await db.insert(users).values({ email, role, passwordHash: sharedHash }).returning({ id: users.id, email: users.email, role: users.role }))[0];
}

/** A signed-in session for a user: a live sessions row, as a sign-in makes, and the cookie's claims naming it. */
export async function sessionFor(db: Db, user: { id: string; role: Role; email?: string }): Promise<Session> {
  const sid = await startSession(db, user.id);
  return { user: { id: user.id, role: user.role, sid, email: user.email ?? null, name: null }, expires: new Date(Date.now() + 3600_000).toISOString() };
}

export type Caller = ReturnType<typeof createCaller>;

export async function callerFor(db: Db, user: { id: string; role: Role } | null): Promise<Caller> {
  return createCaller(createTRPCContext({ db, session: user ? await sessionFor(db, user) : null, headers: new Headers({ "x-forwarded-for": "127.0.0.1" }) }));
}

/** The tRPC error code a promise rejects with, or "OK" when it resolves. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return (err as { code?: string }).code ?? "UNKNOWN";
  }
}
