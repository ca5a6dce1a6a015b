// Sign-in limits, stored in the database so they survive restarts and hold across processes. Two rules:
// - an address that keeps failing is refused for a while (it is guessing, whichever accounts it tries);
// - an account that keeps failing slows down, with a wait that doubles per failure, but only for addresses that
//   have failed: its owner, signing in from an address that has not, is never refused. So nobody can lock an
//   account (or, behind one proxy, everyone) by typing wrong passwords at it.
// The address is the one the web server determined (server/client-ip.ts), never a client's X-Forwarded-For.
import { and, asc, desc, eq, gt, inArray, lt } from "drizzle-orm";
import type { Db } from "../../db/index";
import { rowsChanged } from "../../db/sql-fragments";
import { signInAttempts } from "../../db/schema";
import { writeAudit } from "./audit";
import { notFound } from "./errors";

export interface SignInLimits {
  /** Failures from one address within the window before the address is refused. */
  addressMaxFailures: number;
  windowMs: number;
  /** Failures of one account (since its last success, within the window) before failing addresses must wait. */
  accountFreeFailures: number;
  /** The first wait; each further failure doubles it, up to accountMaxDelayMs. */
  accountBaseDelayMs: number;
  accountMaxDelayMs: number;
}

/**
 * 20 failures from an address in 15 minutes (a few people mistyping behind one NAT stay well under it); an account
 * waits 1 s after its 5th failure, 2 s after the 6th, … up to 15 minutes.
 */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  addressMaxFailures: 20,
  windowMs: 15 * 60 * 1000,
  accountFreeFailures: 5,
  accountBaseDelayMs: 1000,
  accountMaxDelayMs: 15 * 60 * 1000,
};

export interface SignInSubject {
  email: string;
  ip: string | null;
}

const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `ip:${ip}`;

export function signInKeys(subject: SignInSubject): string[] {
  return subject.ip ? [accountKey(subject.email), addressKey(subject.ip)] : [accountKey(subject.email)];
}

/** Failure times of a key since `since`, newest first. */
async function failuresSince(db: Db, key: string, since: number, limit: number): Promise<number[]> {
  return (await db
    .select({ at: signInAttempts.at })
    .from(signInAttempts)
    .where(and(eq(signInAttempts.key, key), eq(signInAttempts.ok, false), gt(signInAttempts.at, new Date(since))))
    .orderBy(desc(signInAttempts.at))
    .limit(limit))
    .map((r) => r.at.getTime());
}

async function lastSuccess(db: Db, key: string): Promise<number> {
  const row = (await db.select({ at: signInAttempts.at }).from(signInAttempts).where(and(eq(signInAttempts.key, key), eq(signInAttempts.ok, true))).orderBy(desc(signInAttempts.at)).limit(1))[0];
  return row ? row.at.getTime() : 0;
}

/** An address's state: blocked until when (ms since epoch), or null. Successes do not reset it: a guesser could. */
async function addressBlockedUntil(db: Db, ip: string, now: number, limits: SignInLimits): Promise<number | null> {
  const failures = await failuresSince(db, addressKey(ip), now - limits.windowMs, limits.addressMaxFailures);
  if (failures.length < limits.addressMaxFailures) return null;
  return failures[failures.length - 1]! + limits.windowMs;
}

/** An account's required wait: until when (ms since epoch) failing addresses must wait, or null. */
async function accountWaitUntil(db: Db, email: string, now: number, limits: SignInLimits): Promise<{ until: number; failures: number } | null> {
  const key = accountKey(email);
  const since = Math.max(now - limits.windowMs, await lastSuccess(db, key));
  const failures = await failuresSince(db, key, since, 10_000);
  if (failures.length < limits.accountFreeFailures) return null;
  const delay = Math.min(limits.accountMaxDelayMs, limits.accountBaseDelayMs * 2 ** (failures.length - limits.accountFreeFailures));
  return { until: failures[0]! + delay, failures: failures.length };
}

/**
 * Whether this sign-in may be tried now; when not, how long until it may. An address that has not failed in the
 * window is never held back by the account's wait.
 */
export async function checkSignIn(db: Db, subject: SignInSubject, now: Date = new Date(), limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
  const t = now.getTime();
  if (subject.ip) {
    const blocked = await addressBlockedUntil(db, subject.ip, t, limits);
    if (blocked !== null && blocked > t) return { allowed: false, retryAfterMs: Math.max(1000, blocked - t) };
  }
  const wait = await accountWaitUntil(db, subject.email, t, limits);
  if (wait && wait.until > t) {
    // Without a known address nobody can tell the owner from the guesser, so the wait applies to all.
    const addressHasFailed = !subject.ip || (await failuresSince(db, addressKey(subject.ip), t - limits.windowMs, 1)).length > 0;
    if (addressHasFailed) return { allowed: false, retryAfterMs: Math.max(1000, wait.until - t) };
  }
  return { allowed: true };
}

/** Records one attempt under the account and the address, and drops rows older than a day so the table stays small. */
export async function recordSignIn(db: Db, subject: SignInSubject, ok: boolean, now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    for (const key of signInKeys(subject)) await tx.insert(signInAttempts).values({ key, at: now, ok });
    await tx.delete(signInAttempts).where(lt(signInAttempts.at, new Date(now.getTime() - 24 * 3600 * 1000)));
  });
}

export interface SignInLimitState {
  key: string;
  kind: "account" | "address";
  /** The email or the address. */
  subject: string;
  failures: number;
  /** "blocked": the address is refused; "throttled": addresses that failed wait before trying this account again. */
  state: "blocked" | "throttled";
  retryAfterMs: number;
}

/** Every address refused and every account slowed down right now, for the admin's users page. */
export async function listSignInLimits(db: Db, now: Date = new Date(), limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS): Promise<SignInLimitState[]> {
  const t = now.getTime();
  const keys = (await db
    .selectDistinct({ key: signInAttempts.key })
    .from(signInAttempts)
    .where(and(eq(signInAttempts.ok, false), gt(signInAttempts.at, new Date(t - limits.windowMs))))
    .orderBy(asc(signInAttempts.key)))
    .map((r) => r.key);
  const out: SignInLimitState[] = [];
  for (const key of keys) {
    if (key.startsWith("ip:")) {
      const ip = key.slice(3);
      const until = await addressBlockedUntil(db, ip, t, limits);
      if (until !== null && until > t) out.push({ key, kind: "address", subject: ip, failures: limits.addressMaxFailures, state: "blocked", retryAfterMs: until - t });
    } else if (key.startsWith("email:")) {
      const email = key.slice(6);
      const wait = await accountWaitUntil(db, email, t, limits);
      if (wait && wait.until > t) out.push({ key, kind: "account", subject: email, failures: wait.failures, state: "throttled", retryAfterMs: wait.until - t });
    }
  }
  return out;
}

/** Forgets a key's failures (an admin unblocking an address or an account); audited. */
export async function clearSignInLimit(db: Db, key: string, actorId: string | null): Promise<{ cleared: number }> {
  if (!key.startsWith("ip:") && !key.startsWith("email:")) throw notFound(`no sign-in limit named '${key}'`);
  return await db.transaction(async (tx) => {
    const cleared = rowsChanged(await tx.delete(signInAttempts).where(and(eq(signInAttempts.key, key), inArray(signInAttempts.ok, [false]))));
    await writeAudit(tx, { userId: actorId, action: "sign_in_limit.clear", entity: "sign_in_limit", entityId: key, detail: { cleared } });
    return { cleared };
  });
}
