// next-auth options: the secret generated once into the data folder, the credentials provider (roles, disabled
// users, rate limit), the JWT/session callbacks, and the direct cookie reader.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "../../db/index";
import { encodeSessionToken } from "../../server/auth-jwt";
import { authOptions, authSecret, getRequestSession } from "../../server/auth";
import { findSessionUser } from "../../server/services/sessions";
import { createUser, updateUser } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
const saved = { ...process.env };
beforeAll(() => {
  t = createTempDb("rlhf-auth-");
  process.env.DATABASE_URL = t.file;
  process.env.RLHF_HOME = t.dir;
  delete process.env.NEXTAUTH_SECRET;
  delete process.env.NEXTAUTH_URL;
});
afterAll(async () => {
  await closeDb();
  process.env = saved;
  await t.close();
});

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;

describe("auth", () => {
  it("generates the secret once into the data folder and reuses it", () => {
    const secret = authSecret();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(path.join(t.dir, "auth-secret"), "utf8").trim()).toBe(secret);
    expect(authSecret()).toBe(secret);
    expect(authOptions.secret).toBe(secret);
    expect(authOptions.pages?.signIn).toBe("/login");
  });

  it("signs in with email and password, refuses disabled users, and rate-limits failures", async () => {
    const { user } = await createUser(getDb(), { email: "ann@example.com", role: "annotator", password: "right password" });
    const req = { headers: { "x-rlhf-client-ip": "10.0.0.1" } };
    expect(await authorize({ email: "ann@example.com", password: "right password" }, req)).toMatchObject({ id: user.id, role: "annotator" });
    expect(await authorize({ email: "ann@example.com", password: "wrong" }, req)).toBeNull();
    await updateUser(getDb(), { id: user.id, disabled: true }, null);
    expect(await authorize({ email: "ann@example.com", password: "right password" }, req)).toBeNull();
    // The address is the one the web server set; a client's own X-Forwarded-For is not read.
    for (let i = 0; i < 20; i++) await authorize({ email: `nobody${i}@example.com`, password: "x" }, { headers: { "x-rlhf-client-ip": "10.0.0.2", "x-forwarded-for": `1.1.1.${i}` } });
    await expect(authorize({ email: "other@example.com", password: "x" }, { headers: { "x-rlhf-client-ip": "10.0.0.2", "x-forwarded-for": "1.1.1.99" } })).rejects.toThrow(/Too many failed sign-in attempts/);
    expect(await authorize({ email: "other@example.com", password: "x" }, { headers: { "x-rlhf-client-ip": "10.0.0.3" } })).toBeNull();
  });

  it("starts a session row at sign-in, carries its id, the user id and role into the session, and ends it at sign-out", async () => {
    const { user } = await createUser(getDb(), { email: "res@example.com", role: "researcher", password: "right password" });
    const callbacks = authOptions.callbacks!;
    const token = await callbacks.jwt!({ token: {}, user: { id: user.id, role: "researcher" } } as never);
    expect(token).toMatchObject({ id: user.id, role: "researcher", sid: expect.any(String) });
    const session = await callbacks.session!({ session: { user: { email: "r@x.io" }, expires: "" }, token } as never);
    expect(session.user).toMatchObject({ id: user.id, role: "researcher", sid: token.sid, email: "r@x.io" });
    const claims = { id: user.id, sid: token.sid };
    expect(await findSessionUser(getDb(), claims)).toMatchObject({ id: user.id, role: "researcher" });
    await authOptions.events!.signOut!({ token, session } as never);
    expect(await findSessionUser(getDb(), claims)).toBeUndefined();
  });

  it("reads the session straight from the cookie, and treats a bad cookie as no session", async () => {
    const token = await encodeSessionToken({ token: { id: "u2", role: "admin", email: "a@x.io" }, secret: authSecret(), maxAge: 3600 });
    const session = await getRequestSession(new Headers({ cookie: `other=1; next-auth.session-token=${token}` }));
    expect(session?.user).toMatchObject({ id: "u2", role: "admin", email: "a@x.io" });
    expect(await getRequestSession(new Headers({ cookie: "next-auth.session-token=garbage" }))).toBeNull();
    expect(await getRequestSession(new Headers())).toBeNull();
  });
});
