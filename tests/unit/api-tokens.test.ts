// Export API tokens have a life cycle: created with a scope and an expiry (90 days by default), listed with their
// last use, revoked at once; an expired, revoked or out-of-scope token, or one whose user is disabled, opens nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, listApiTokens, revokeApiToken, userForApiToken } from "../../server/services/api-tokens";
import { createUser, updateUser } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
let aliceId: string;
let bobId: string;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = createTempDb();
  aliceId = (await createUser(t.db, { email: "alice@tokens.test", role: "researcher", password: "long-enough-1" })).user.id;
  bobId = (await createUser(t.db, { email: "bob@tokens.test", role: "researcher", password: "long-enough-1" })).user.id;
});
afterAll(() => t.close());

describe("api token life cycle", () => {
  it("expires after 90 days by default, or after the days asked for", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const a = await createApiToken(t.db, { email: "alice@tokens.test", name: "laptop" }, null, now);
    expect(a).toMatchObject({ name: "laptop", user: "alice@tokens.test", scope: "export", revoked: false, active: true, expires_at: "2026-04-01T00:00:00.000Z" });
    expect((await userForApiToken(t.db, a.token, "export", new Date(now.getTime() + 89 * DAY)))?.email).toBe("alice@tokens.test");
    expect(await userForApiToken(t.db, a.token, "export", new Date(now.getTime() + 90 * DAY))).toBeUndefined();
    const short = await createApiToken(t.db, { email: "alice@tokens.test", name: "ci", expiresDays: 1 }, null, now);
    expect(short.expires_at).toBe("2026-01-02T00:00:00.000Z");
    await expect(async () => await createApiToken(t.db, { email: "alice@tokens.test", name: "x", expiresDays: 0 })).rejects.toThrow(/1 to 3650 days/);
    await expect(async () => await createApiToken(t.db, { email: "alice@tokens.test", name: "bad\u202Ename" })).rejects.toThrow(/found U\+202E/);
  });

  it("records the last use and lists a user's tokens, newest first, with their state", async () => {
    const now = new Date();
    const tok = await createApiToken(t.db, { email: "alice@tokens.test", name: "script" });
    expect((await listApiTokens(t.db, { userId: aliceId })).find((x) => x.id === tok.id)!.last_used_at).toBeNull();
    await userForApiToken(t.db, tok.token, "export", now);
    const listed = await listApiTokens(t.db, { email: "alice@tokens.test" });
    expect(listed[0]!.name).toBe("script");
    expect(listed.find((x) => x.id === tok.id)!.last_used_at).toBe(now.toISOString());
    expect(listed.filter((x) => x.name === "ci")[0]!.active).toBe(false); // the 1-day token from 2026-01-01
    expect(await listApiTokens(t.db, { userId: bobId })).toEqual([]);
  });

  it("revokes at once; only the owner may revoke from the web, and someone else's id reads as missing", async () => {
    const tok = await createApiToken(t.db, { email: "alice@tokens.test", name: "leaked" });
    await expect(async () => await revokeApiToken(t.db, tok.id, { ownerId: bobId })).rejects.toThrow(/no token with id/);
    expect(await userForApiToken(t.db, tok.token)).toBeDefined();
    expect(await revokeApiToken(t.db, tok.id, { ownerId: aliceId })).toMatchObject({ revoked: true, active: false });
    expect(await userForApiToken(t.db, tok.token)).toBeUndefined();
    await expect(async () => await revokeApiToken(t.db, tok.id)).rejects.toThrow(/already revoked/);
  });

  it("a disabled user's tokens stop working, and stay stopped only while disabled", async () => {
    const tok = await createApiToken(t.db, { email: "bob@tokens.test", name: "bob" });
    await updateUser(t.db, { id: bobId, disabled: true }, null);
    expect(await userForApiToken(t.db, tok.token)).toBeUndefined();
    expect((await listApiTokens(t.db, { userId: bobId }))[0]!.active).toBe(false);
    await updateUser(t.db, { id: bobId, disabled: false }, null);
    expect((await userForApiToken(t.db, tok.token))?.email).toBe("bob@tokens.test");
  });
});
