// Sessions end when they should, over real HTTP against `next start`: sign-out kills that cookie (and only that one),
// a password reset and a disable (even after re-enabling) kill every cookie of the user, and changing one's own
// password keeps only the session that changed it. A dead cookie opens no page and calls no procedure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { createUser, resetPassword, updateUser } from "../../server/services/users";
import { signInOverHttp, signOutOverHttp } from "../support/http-session";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let db: Db;
let userId: string;
const EMAIL = "sessions@e2e.test";

/** What `users.me` answers for a cookie: the HTTP status. */
async function me(cookie: string): Promise<number> {
  return (await fetch(`${server.url}/api/trpc/users.me`, { headers: { cookie } })).status;
}

/** Where a page load with this cookie ends up: 200 on the page, or the redirect's path. */
async function page(cookie: string, pathname: string): Promise<string> {
  const res = await fetch(`${server.url}${pathname}`, { headers: { cookie }, redirect: "manual" });
  return res.status === 200 ? "200" : new URL(res.headers.get("location")!, server.url).pathname;
}

beforeAll(async () => {
  server = await startTestServer();
  db = openDb(server.databaseUrl);
  userId = (await createUser(db, { email: EMAIL, role: "annotator", password: "first-password-1" })).user.id;
}, 240_000);

afterAll(async () => {
  if (db) await closeDatabase(db);
  await server?.stop();
});

describe("revocable sessions", () => {
  it("sign-out ends that session only", async () => {
    const laptop = await signInOverHttp(server.url, EMAIL, "first-password-1");
    const phone = await signInOverHttp(server.url, EMAIL, "first-password-1");
    expect([await me(laptop), await me(phone)]).toEqual([200, 200]);
    await signOutOverHttp(server.url, laptop);
    expect(await me(laptop)).toBe(401);
    expect(await page(laptop, "/annotate")).toBe("/login");
    expect(await me(phone)).toBe(200);
    expect(await page(phone, "/annotate")).toBe("200");
  });

  it("a password reset ends every session of the user", async () => {
    const a = await signInOverHttp(server.url, EMAIL, "first-password-1");
    const b = await signInOverHttp(server.url, EMAIL, "first-password-1");
    expect((await resetPassword(db, { id: userId, password: "second-password-2" }, null)).sessionsEnded).toBeGreaterThanOrEqual(2);
    expect([await me(a), await me(b)]).toEqual([401, 401]);
    expect(await page(a, "/annotate")).toBe("/login");
  });

  it("disabling ends every session, and re-enabling does not revive them", async () => {
    const cookie = await signInOverHttp(server.url, EMAIL, "second-password-2");
    await updateUser(db, { id: userId, disabled: true }, null);
    await updateUser(db, { id: userId, disabled: false }, null);
    expect(await me(cookie)).toBe(401);
    expect(await me(await signInOverHttp(server.url, EMAIL, "second-password-2"))).toBe(200);
  });

  it("a role change ends the sessions that carried the old role", async () => {
    const cookie = await signInOverHttp(server.url, EMAIL, "second-password-2");
    await updateUser(db, { id: userId, role: "researcher" }, null);
    expect(await me(cookie)).toBe(401);
    await updateUser(db, { id: userId, role: "annotator" }, null);
  });

  it("changing one's own password keeps this session and ends the others", async () => {
    const here = await signInOverHttp(server.url, EMAIL, "second-password-2");
    const elsewhere = await signInOverHttp(server.url, EMAIL, "second-password-2");
    const change = (current: string, next: string) =>
      fetch(`${server.url}/api/trpc/users.changePassword`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: here, origin: server.url },
        body: JSON.stringify({ json: { current, next } }),
      });
    const wrong = await change("not-my-password", "third-password-3");
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await wrong.json())).toContain("The current password is not right.");
    expect((await change("second-password-2", "third-password-3")).status).toBe(200);
    expect([await me(here), await me(elsewhere)]).toEqual([200, 401]);
    await expect(signInOverHttp(server.url, EMAIL, "second-password-2")).rejects.toThrow(/failed/);
    expect(await me(await signInOverHttp(server.url, EMAIL, "third-password-3"))).toBe(200);
  });
});
