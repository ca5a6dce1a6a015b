// Sign-in: bcrypt check, disabled users refused, and rate limits per email and per IP with a clock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authenticate } from "../../server/services/authenticate";
import { checkSignIn, recordSignIn, signInKeys } from "../../server/services/sign-in-limits";
import { createUser, updateUser } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

const limits = { maxFailures: 3, windowMs: 60_000 };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

describe("sign-in rate limiter", () => {
  it("refuses after N failures in the window, says how long to wait, and lets the window pass", () => {
    const keys = signInKeys("A@x.io", "1.2.3.4");
    expect(keys).toEqual(["email:a@x.io", "ip:1.2.3.4"]);
    for (let i = 0; i < 3; i++) recordSignIn(t.db, keys, false, at(i));
    expect(checkSignIn(t.db, keys, at(10), limits)).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(checkSignIn(t.db, keys, at(61), limits)).toEqual({ allowed: true });
  });

  it("limits per IP across different emails, and a success resets the count for its key", () => {
    for (let i = 0; i < 3; i++) recordSignIn(t.db, signInKeys(`u${i}@x.io`, "9.9.9.9"), false, at(i));
    expect(checkSignIn(t.db, signInKeys("other@x.io", "9.9.9.9"), at(5), limits).allowed).toBe(false);
    expect(checkSignIn(t.db, signInKeys("other@x.io", "8.8.8.8"), at(5), limits).allowed).toBe(true);
    recordSignIn(t.db, ["ip:9.9.9.9"], true, at(6));
    expect(checkSignIn(t.db, ["ip:9.9.9.9"], at(7), limits).allowed).toBe(true);
  });
});

describe("authenticate", () => {
  it("accepts the right password, refuses wrong ones and disabled users, then rate-limits", () => {
    const { user } = createUser(t.db, { email: "ann@x.io", role: "annotator", password: "correct horse" });
    const ip = "5.5.5.5";
    expect(authenticate(t.db, { email: "ANN@x.io", password: "correct horse", ip }, { limits })).toMatchObject({ ok: true, user: { id: user.id, role: "annotator" } });
    expect(authenticate(t.db, { email: "ann@x.io", password: "wrong", ip }, { limits })).toEqual({ ok: false, reason: "invalid" });
    expect(authenticate(t.db, { email: "nobody@x.io", password: "wrong", ip: null }, { limits })).toEqual({ ok: false, reason: "invalid" });
    updateUser(t.db, { id: user.id, disabled: true }, null);
    expect(authenticate(t.db, { email: "ann@x.io", password: "correct horse", ip }, { limits })).toEqual({ ok: false, reason: "invalid" });
    updateUser(t.db, { id: user.id, disabled: false }, null);
    authenticate(t.db, { email: "ann@x.io", password: "wrong", ip }, { limits });
    // Three failures since the last success: even the right password now waits.
    expect(authenticate(t.db, { email: "ann@x.io", password: "correct horse", ip }, { limits })).toMatchObject({ ok: false, reason: "rate_limited" });
  });
});
