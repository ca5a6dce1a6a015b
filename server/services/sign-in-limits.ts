// Sign-in rate limiting per email and per IP, stored in the database so it survives restarts and is shared
// by every process: after too many failures in a window, further attempts are refused until it passes.
import { and, desc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../../db/index";
import { signInAttempts } from "../../db/schema";

export interface SignInLimits {
  maxFailures: number;
  windowMs: number;
}

/** 10 failures in 15 minutes: plenty for a person mistyping, far too few for guessing passwords. */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { maxFailures: 10, windowMs: 15 * 60 * 1000 };

export function signInKeys(email: string, ip: string | null): string[] {
  const keys = [`email:${email.trim().toLowerCase()}`];
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

/**
 * Whether a sign-in may be tried now. Failures count from the start of the window or the key's last success,
 * whichever is later; when refused, `retryAfterMs` says how long until the oldest counted failure leaves the window.
 */
export function checkSignIn(
  db: Db,
  keys: string[],
  now: Date = new Date(),
  limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
): { allowed: true } | { allowed: false; retryAfterMs: number } {
  const windowStart = now.getTime() - limits.windowMs;
  for (const key of keys) {
    const lastOk = db
      .select({ at: signInAttempts.at })
      .from(signInAttempts)
      .where(and(eq(signInAttempts.key, key), eq(signInAttempts.ok, true)))
      .orderBy(desc(signInAttempts.at))
      .limit(1)
      .get();
    const since = Math.max(windowStart, lastOk ? lastOk.at.getTime() : 0);
    const failures = db
      .select({ at: signInAttempts.at })
      .from(signInAttempts)
      .where(and(eq(signInAttempts.key, key), eq(signInAttempts.ok, false), gt(signInAttempts.at, new Date(since))))
      .orderBy(desc(signInAttempts.at))
      .limit(limits.maxFailures)
      .all();
    if (failures.length >= limits.maxFailures) {
      const oldestCounted = failures[failures.length - 1]!.at.getTime();
      return { allowed: false, retryAfterMs: Math.max(1000, oldestCounted + limits.windowMs - now.getTime()) };
    }
  }
  return { allowed: true };
}

/** Records one attempt under every key, and drops rows older than a day so the table stays small. */
export function recordSignIn(db: Db, keys: string[], ok: boolean, now: Date = new Date()): void {
  db.transaction((tx) => {
    for (const key of keys) tx.insert(signInAttempts).values({ key, at: now, ok }).run();
    tx.delete(signInAttempts).where(lt(signInAttempts.at, new Date(now.getTime() - 24 * 3600 * 1000))).run();
  });
}
