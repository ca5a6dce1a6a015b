// Security headers and cross-site requests against `next start`, in Chromium: every page carries a CSP with a fresh
// nonce and renders with no policy violation, nothing can frame it, and a request another site makes with the
// user's cookie is refused before it reaches a procedure or the export.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { projects } from "../../db/schema";
import { STATIC_SECURITY_HEADERS } from "../../server/http-security";
import { createApiToken } from "../../server/services/api-tokens";
import { launchBrowser } from "../support/browser";
import { signInOverHttp } from "../support/http-session";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let browser: Browser;
let db: Db;

beforeAll(async () => {
  server = await startTestServer();
  db = openDb(server.databaseUrl);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (db) await closeDatabase(db);
  await server?.stop();
});

const PAGES = ["/admin", "/admin/users", "/admin/runs", "/admin/models", "/admin/projects/new", "/research", "/research/runs", "/annotate", "/annotate/rank", "/account"];

describe("security headers", () => {
  it("every page has a nonce CSP, no framing, no sniffing, and renders with no CSP violation", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`));
    });

    const login = await page.goto(`${server.url}/login`);
    const headers = login!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    // A fresh nonce per response, and it is on the scripts Next.js rendered.
    const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"]!)![1]!;
    expect((await page.request.get(`${server.url}/login`)).headers()["content-security-policy"]).not.toContain(nonce);

    await page.fill("#email", server.admin.email);
    await page.fill("#password", server.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin");
    for (const p of PAGES) {
      const res = await page.goto(`${server.url}${p}`);
      expect(res!.status(), p).toBe(200);
      await page.waitForLoadState("networkidle");
      // React has hydrated, so its scripts ran under the policy.
      expect(await page.evaluate(() => document.querySelectorAll("script[nonce]").length), p).toBeGreaterThan(0);
    }
    expect(violations).toEqual([]);
    await context.close();
  });

  it("API responses carry the same static headers as pages (next.config.mjs keeps a copy of the list)", async () => {
    const res = await fetch(`${server.url}/api/health`);
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
    const page = await fetch(`${server.url}/login`);
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) expect(page.headers.get(name), name).toBe(value);
  });
});

describe("cross-site requests", () => {
  it("a foreign Origin with the user's cookie reaches no procedure; the app's own origin does", async () => {
    const cookie = await signInOverHttp(server.url, server.admin.email, server.admin.password);
    const post = (origin: string | null, extra: Record<string, string> = {}) =>
      fetch(`${server.url}/api/trpc/projects.create`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...(origin ? { origin } : {}), ...extra },
        body: JSON.stringify({ json: { name: `made-by-${origin ?? "script"}-${Object.keys(extra).join("")}` } }),
      });
    const before = { n: (await db.select().from(projects)).length };
    expect((await post("http://evil.example")).status).toBe(403);
    expect((await post("null")).status).toBe(403);
    expect((await post(null, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const multipart = await fetch(`${server.url}/api/trpc/tasks.next`, { method: "POST", headers: { cookie, origin: "http://evil.example", "content-type": "multipart/form-data; boundary=x" }, body: "--x--" });
    expect(multipart.status).toBe(403);
    expect((await db.select().from(projects)).length).toBe(before.n);
    expect((await post(server.url)).status).toBe(200);
    expect((await post(null)).status).toBe(200); // scripts send no Origin; the cookie or token decides
  });

  it("the export refuses a foreign Origin even with a valid token", async () => {
    const { token } = await createApiToken(db, { email: server.admin.email, name: "xsite" });
    const get = (origin?: string) => fetch(`${server.url}/api/export?format=trl-preference`, { headers: { authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) } });
    expect((await get("http://evil.example")).status).toBe(403);
    expect((await get()).status).toBe(200);
  });
});
