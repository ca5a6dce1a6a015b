// Sign-in: bcrypt check, disabled users refused, and the two limits with a clock: an address that keeps failing is
// refused; an account that keeps failing slows down (doubling) only for addresses that failed, so its owner from a
// clean address always gets in; an admin sees and clears both.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authenticate } from "../../server/services/authenticate";
import { checkSignIn, clearSignInLimit, listSignInLimits, recordSignIn, signInKeys } from "../../server/services/sign-in-limits";
import { createUser, updateUser } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

const limits = { addressMaxFailures: 4, windowMs: 60_000, accountFreeFailures: 2, accountBaseDelayMs: 1000, accountMaxDelayMs: 8000 };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + s * 1000);
const fail = async (email: string, ip: string | null, s: number) => await recordSignIn(t.db, { email, ip }, false, at(s));

describe("sign-in limits", () => {
  it("keys an attempt by account and, when known, by address", () => {
    expect(signInKeys({ email: "A@x.io", ip: "1.2.3.4" })).toEqual(["email:a@x.io", "ip:1.2.3.4"]);
    expect(signInKeys({ email: "A@x.io", ip: null })).toEqual(["email:a@x.io"]);
  });

  it("refuses an address after N failures across any accounts, says how long, and lets the window pass", async () => {
    for (let i = 0; i < 4; i++) await fail(`u${i}@x.io`, "9.9.9.9", i);
    expect(await checkSignIn(t.db, { email: "other@x.io", ip: "9.9.9.9" }, at(10), limits)).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect((await checkSignIn(t.db, { email: "other@x.io", ip: "8.8.8.8" }, at(10), limits)).allowed).toBe(true);
    // A success from the address does not reset it: a guesser with one real account could.
    await recordSignIn(t.db, { email: "u0@x.io", ip: "9.9.9.9" }, true, at(11));
    expect((await checkSignIn(t.db, { email: "other@x.io", ip: "9.9.9.9" }, at(12), limits)).allowed).toBe(false);
    expect((await checkSignIn(t.db, { email: "other@x.io", ip: "9.9.9.9" }, at(61), limits)).allowed).toBe(true);
  });

  it("slows an account down by doubling waits, for failing addresses only: the owner from a clean address gets in", async () => {
    await fail("ann@x.io", "6.6.6.6", 0);
    await fail("ann@x.io", "6.6.6.6", 1); // 2nd failure: 1 s wait
    expect(await checkSignIn(t.db, { email: "ann@x.io", ip: "6.6.6.6" }, at(1.5), limits)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect((await checkSignIn(t.db, { email: "ann@x.io", ip: "6.6.6.6" }, at(2), limits)).allowed).toBe(true);
    await fail("ann@x.io", "6.6.6.7", 2); // 3rd failure, from another guessing address: 2 s
    expect(await checkSignIn(t.db, { email: "ann@x.io", ip: "6.6.6.7" }, at(3), limits)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect((await checkSignIn(t.db, { email: "ann@x.io", ip: "6.6.6.7" }, at(4), limits)).allowed).toBe(true);
    // The owner, from an address that has not failed, is never refused.
    expect((await checkSignIn(t.db, { email: "ann@x.io", ip: "1.1.1.1" }, at(2.5), limits)).allowed).toBe(true);
    // Without a known address nobody can be told apart, so the wait applies.
    expect((await checkSignIn(t.db, { email: "ann@x.io", ip: null }, at(2.5), limits)).allowed).toBe(false);
    // A success ends the slow-down.
    await recordSignIn(t.db, { email: "ann@x.io", ip: "1.1.1.1" }, true, at(5));
    await fail("ann@x.io", "6.6.6.6", 6);
    expect((await checkSignIn(t.db, { email: "ann@x.io", ip: "6.6.6.6" }, at(6.1), limits)).allowed).toBe(true);
  });

  it("lists blocked addresses and throttled accounts for the admin, who can clear them", async () => {
    for (let i = 0; i < 4; i++) await fail("ann@x.io", "9.9.9.9", i);
    const listed = await listSignInLimits(t.db, at(4), limits);
    expect(listed).toEqual([
      { key: "email:ann@x.io", kind: "account", subject: "ann@x.io", failures: 4, state: "throttled", retryAfterMs: 3000 },
      { key: "ip:9.9.9.9", kind: "address", subject: "9.9.9.9", failures: 4, state: "blocked", retryAfterMs: 56_000 },
    ]);
    expect(await clearSignInLimit(t.db, "ip:9.9.9.9", null)).toEqual({ cleared: 4 });
    expect((await listSignInLimits(t.db, at(4), limits)).map((l) => l.key)).toEqual(["email:ann@x.io"]);
    await expect(async () => await clearSignInLimit(t.db, "whatever", null)).rejects.toThrow(/no sign-in limit/);
  });
});

describe("authenticate", () => {
  it("accepts the right password, refuses wrong ones and disabled users, and waits only where it failed", async () => {
    const { user } = await createUser(t.db, { email: "ann@x.io", role: "annotator", password: "correct horse" });
    const ip = "5.5.5.5";
    expect(await authenticate(t.db, { email: "ANN@x.io", password: "correct horse", ip }, { limits, now: at(0) })).toMatchObject({ ok: true, user: { id: user.id, role: "annotator" } });
    const now = at(1);
    expect(await authenticate(t.db, { email: "ann@x.io", password: "wrong", ip }, { limits, now })).toEqual({ ok: false, reason: "invalid" });
    expect(await authenticate(t.db, { email: "nobody@x.io", password: "wrong", ip: null }, { limits, now })).toEqual({ ok: false, reason: "invalid" });
    await updateUser(t.db, { id: user.id, disabled: true }, null);
    expect(await authenticate(t.db, { email: "ann@x.io", password: "correct horse", ip }, { limits, now })).toEqual({ ok: false, reason: "invalid" });
    await updateUser(t.db, { id: user.id, disabled: false }, null);
    // Two failures since the last success: the failing address waits, even with the right password...
    expect(await authenticate(t.db, { email: "ann@x.io", password: "correct horse", ip }, { limits, now })).toMatchObject({ ok: false, reason: "rate_limited" });
    // ...but the owner from another address signs in.
    expect((await authenticate(t.db, { email: "ann@x.io", password: "correct horse", ip: "7.7.7.7" }, { limits, now })).ok).toBe(true);
  });
});
