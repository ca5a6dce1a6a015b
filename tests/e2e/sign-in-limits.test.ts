// Sign-in limits against the real server behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1, the test playing the
// proxy that appends each client's address): forging X-Forwarded-For does not reset an address's limit, failures
// against an account never lock its owner out from a clean address, and an admin sees and clears limits in Chromium.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { signInAttempt } from "../support/http-session";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** An attempt from `client`, through the proxy; `forged` is what the client itself wrote into X-Forwarded-For. */
const from = (client: string, forged?: string) => ({ "x-forwarded-for": forged ? `${forged}, ${client}` : client });

describe("sign-in limits", () => {
  it("an address that keeps failing is refused, however it forges X-Forwarded-For", async () => {
    for (let i = 0; i < 20; i++) {
      const r = await signInAttempt(server.url, `nobody${i}@e2e.test`, "guess", from("203.0.113.66", `10.9.9.${i}`));
      expect(r).toMatchObject({ error: null }); // a plain wrong password, not a refusal
    }
    const refused = await signInAttempt(server.url, "someone@e2e.test", "guess", from("203.0.113.66", "10.9.9.250"));
    expect("error" in refused && refused.error).toMatch(/Too many failed sign-in attempts/);
    // Another client behind the same proxy is not affected.
    expect(await signInAttempt(server.url, "someone@e2e.test", "guess", from("198.51.100.20"))).toMatchObject({ error: null });
  });

  it("wrong passwords for an account do not lock its owner out", async () => {
    for (let i = 0; i < 10; i++) await signInAttempt(server.url, server.admin.email, "wrong", from("203.0.113.77"));
    const attacker = await signInAttempt(server.url, server.admin.email, server.admin.password, from("203.0.113.77"));
    expect("error" in attacker && attacker.error).toMatch(/Too many failed sign-in attempts/);
    const owner = await signInAttempt(server.url, server.admin.email, server.admin.password, from("198.51.100.5"));
    expect("cookie" in owner).toBe(true);
  });

  it("an admin sees the blocked address and clears it", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    // The browser comes through the proxy too (as the loopback peer itself, which is trusted and sends no header).
    await page.goto(`${server.url}/login?callbackUrl=/admin/users`);
    await page.fill("#email", server.admin.email);
    await page.fill("#password", server.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin/users");
    const row = page.getByTestId("sign-in-limit").filter({ hasText: "203.0.113.66" });
    await expect(row.innerText()).resolves.toContain("address blocked");
    await page.screenshot({ path: "tests/e2e/screenshots/admin-sign-in-limits.png" });
    await row.getByRole("button", { name: "Clear" }).click();
    await row.waitFor({ state: "detached" });
    expect(await signInAttempt(server.url, "someone@e2e.test", "guess", from("203.0.113.66"))).toMatchObject({ error: null });
  });
});
