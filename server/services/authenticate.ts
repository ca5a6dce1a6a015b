// Checking an email and password for sign-in: rate limits first, then the bcrypt check; disabled users fail.
import type { Db } from "../../db/index";
import type { Role } from "../../db/schema";
import { checkSignIn, recordSignIn, type SignInLimits } from "./sign-in-limits";
import { findUserByEmail, hashPassword, verifyPassword } from "./users";

export type AuthenticateResult =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

let dummyHash: string | undefined;

export async function authenticate(
  db: Db,
  input: { email: string; password: string; ip: string | null },
  opts: { now?: Date; limits?: SignInLimits } = {},
): Promise<AuthenticateResult> {
  const now = opts.now ?? new Date();
  const subject = { email: input.email, ip: input.ip };
  const gate = await checkSignIn(db, subject, now, opts.limits);
  if (!gate.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: gate.retryAfterMs };

  const user = await findUserByEmail(db, input.email);
  // Unknown emails still pay for one bcrypt check, so timing does not tell which emails have accounts.
  const hash = user?.passwordHash ?? (dummyHash ??= hashPassword("no such user"));
  const passwordOk = verifyPassword(input.password, hash);
  const ok = !!user && passwordOk && !user.disabled;
  await recordSignIn(db, subject, ok, now);
  if (!ok) return { ok: false, reason: "invalid" };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
