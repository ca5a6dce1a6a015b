// End to end in real Chromium against `next start`: the admin sets up a project, an annotator writes a
// demonstration and ranks completions by keyboard and by drag, and the dashboards follow. Saves a screenshot per page.
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";

const SCREENSHOTS = path.join(REPO_ROOT, "tests", "e2e", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };
const DEMO_PROJECT = "Demo: helpful assistant";
const PROJECT = "E2E support answers";
const ANNOTATOR = { email: "ann@e2e.test", name: "Ann Otator", password: "annotator-pass-1" };

let server: TestServer;
let browser: Browser;
let adminContext: BrowserContext;
let annotatorContext: BrowserContext;

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function screenshot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready);
  // No hover effects in the picture, and colour transitions (a button just enabled) finished.
  await page.mouse.move(0, 799);
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function statValue(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).innerText()).trim();
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  browser = await launchBrowser();
  adminContext = await browser.newContext({ viewport: VIEWPORT });
  annotatorContext = await browser.newContext({ viewport: VIEWPORT });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("web app end to end", () => {
  it("GET /api/health answers {ok: true}", async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("sends an unauthenticated visitor to /login, explains a wrong password, and returns to the page after sign-in", async () => {
    const page = await newPage(await browser.newContext({ viewport: VIEWPORT }));
    await page.goto(`${server.url}/annotate/rank?project=p1`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/annotate/rank?project=p1");
    await screenshot(page, "login");

    await page.fill("#email", server.admin.email);
    await page.fill("#password", "not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("error-banner").innerText()).resolves.toContain("Wrong email or password");
    await screenshot(page, "login-error");

    // Signing in goes back to the page asked for.
    await page.fill("#password", server.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/annotate/rank?project=p1`);
    await page.getByText("No more tasks").waitFor();
    await screenshot(page, "no-more-tasks");
    await page.context().close();
  });

  it("lets the admin sign in, create an annotator and a project, and import prompts from a file", async () => {
    const page = await newPage(adminContext);
    await signIn(page, server.admin.email, server.admin.password);
    await page.waitForURL(`${server.url}/admin`);
    await page.getByTestId("progress-table").getByText(DEMO_PROJECT).waitFor();
    await expect(page.getByTestId("nav-role").innerText()).resolves.toBe("Admin");
    await screenshot(page, "admin");

    await page.goto(`${server.url}/admin/users`);
    await page.fill("#new-user-email", ANNOTATOR.email);
    await page.fill("#new-user-name", ANNOTATOR.name);
    await page.selectOption("#new-user-role", "annotator");
    await page.fill("#new-user-password", ANNOTATOR.password);
    await page.getByRole("button", { name: "Create user" }).click();
    await page.locator(`[data-testid=user-row][data-email="${ANNOTATOR.email}"]`).waitFor();
    await screenshot(page, "admin-users");

    await page.goto(`${server.url}/admin/projects/new`);
    await page.fill("#project-name", PROJECT);
    await page.getByTestId("project-guidelines").fill("# Guidelines\n\nAnswer **politely** and cite the relevant policy.\n\n- Be brief\n- Be correct");
    await screenshot(page, "admin-project-new");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/admin\/projects\/[0-9a-z]+$/);

    const jsonl = [
      JSON.stringify({ prompt: "How do I reset my password?", id: "q1", tags: ["account"] }),
      "{ this line is not json",
      JSON.stringify({ prompt: "Can I get a refund after 30 days?", id: "q2", tags: ["billing"], split: "test" }),
      JSON.stringify({ prompt: "Write a <b>haiku</b> about support tickets.", id: "q3" }),
    ].join("\n");
    await page.setInputFiles("#prompt-file", { name: "prompts.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(jsonl) });
    await page.getByTestId("import-prompts").click();
    await page.getByTestId("import-result").waitFor();
    await expect(page.getByTestId("import-imported").innerText()).resolves.toBe("3 imported");
    await expect(page.getByTestId("import-errors").innerText()).resolves.toBe("1 line failed");
    await expect(page.getByTestId("import-result").locator("td").first().innerText()).resolves.toBe("2");
    await page.getByTestId("prompt-rows").getByText("How do I reset my password?").waitFor();
    // User text is shown as text: the <b> arrives verbatim, not as markup.
    await page.getByTestId("prompt-rows").getByText("Write a <b>haiku</b> about support tickets.").waitFor();
    await screenshot(page, "admin-project");
    await page.getByTestId("prompt-search").fill("refund");
    await page.getByTestId("prompt-count").getByText("1–1 of 1").waitFor();
    await page.getByTestId("prompt-search").evaluate((el) => el.scrollIntoView({ block: "center" }));
    await screenshot(page, "admin-project-prompts");
  });

  it("lets the annotator write a demonstration, submit it with Ctrl+Enter, and skip the next with a reason", async () => {
    const page = await newPage(annotatorContext);
    await signIn(page, ANNOTATOR.email, ANNOTATOR.password);
    await page.waitForURL(`${server.url}/annotate`);
    expect(await statValue(page, "stat-total")).toBe("0");
    await screenshot(page, "annotate-before");

    const card = page.locator(`[data-testid=project-card][data-project="${PROJECT}"]`);
    await card.getByRole("link", { name: /Write demonstrations/ }).click();
    await page.waitForURL(/\/annotate\/demonstrate\?project=/);
    const editor = page.getByTestId("demonstration-text");
    await editor.waitFor();
    await editor.fill("Go to **Settings → Security** and choose *Reset password*.\n\n1. Enter your email\n2. Follow the link");
    await page.locator('[data-testid=save-indicator][data-state="saved"]').waitFor();
    await screenshot(page, "demonstrate");

    const promptChanged = (prev: string) =>
      page.waitForFunction((p) => {
        const el = document.querySelector("[data-testid=prompt-text]");
        return !!el && el.textContent !== p;
      }, prev);
    const firstPrompt = await page.getByTestId("prompt-text").innerText();
    await editor.press("Control+Enter");
    await page.getByTestId("task-notice").getByText("Demonstration submitted").waitFor();
    await promptChanged(firstPrompt); // the next task loads in place

    // Skipping asks for a reason, then moves on as well.
    const secondPrompt = await page.getByTestId("prompt-text").innerText();
    await page.getByRole("button", { name: "Skip…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "I lack the expertise" }).click();
    await screenshot(page, "demonstrate-skip");
    await page.getByRole("dialog").getByRole("button", { name: "Skip task" }).click();
    await page.getByTestId("task-notice").getByText("Task skipped").waitFor();
    await promptChanged(secondPrompt);
  });

  it("lets the annotator rank 4 completions by keyboard", async () => {
    const page = await newPage(annotatorContext);
    await page.goto(`${server.url}/annotate`);
    const card = page.locator(`[data-testid=project-card][data-project="${DEMO_PROJECT}"]`);
    await card.getByRole("link", { name: /Rank completions/ }).click();
    await page.waitForURL(/\/annotate\/rank\?project=/);
    const completions = page.getByTestId("completion");
    await completions.first().waitFor();
    expect(await completions.count()).toBe(4);

    const submit = page.getByTestId("submit-ranking");
    expect(await submit.isDisabled()).toBe(true);
    await completions.first().focus();
    await page.keyboard.press("1");
    await page.keyboard.press("j");
    await page.keyboard.press("2");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("3");
    await page.keyboard.press("j");
    await page.keyboard.press("4");
    const ranks = await completions.evaluateAll((els) => els.map((el) => el.getAttribute("data-rank")));
    expect(ranks).toEqual(["1", "2", "3", "4"]);
    expect(await submit.isEnabled()).toBe(true);
    // The demo project allows ties: giving B the rank A holds ties them; 2 puts B back.
    await completions.nth(1).focus();
    await page.keyboard.press("1");
    expect(await completions.nth(1).getAttribute("data-rank")).toBe("1");
    expect(await completions.nth(0).getAttribute("data-rank")).toBe("1");
    await page.keyboard.press("2");
    // Per-completion flag and rating.
    await completions.nth(3).getByLabel("off-topic").check();
    await completions.nth(0).getByRole("radio", { name: "6" }).click();
    await screenshot(page, "rank");

    const firstId = await completions.first().getAttribute("data-completion-id");
    await page.keyboard.press("Control+Enter");
    await page.getByTestId("task-notice").getByText("Ranking submitted").waitFor();
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector("[data-testid=completion]");
        return !!el && el.getAttribute("data-completion-id") !== prev;
      },
      firstId,
    );
  });

  it("lets the annotator rank the next task by drag and drop", async () => {
    const page = annotatorContext.pages().at(-1)!;
    const completions = page.getByTestId("completion");
    expect(await completions.count()).toBe(4);
    for (let i = 0; i < 4; i++) await completions.nth(i).dragTo(page.getByTestId(`rank-slot-${4 - i}`));
    const ranks = await completions.evaluateAll((els) => els.map((el) => el.getAttribute("data-rank")));
    expect(ranks).toEqual(["4", "3", "2", "1"]);
    await screenshot(page, "rank-dragged");
    // The notice of the previous submit may still be showing: wait for this submit's own answer.
    const answered = page.waitForResponse((r) => r.url().includes("rankings.submit") && r.request().method() === "POST");
    await page.getByTestId("submit-ranking").click();
    expect((await answered).ok()).toBe(true);
    await page.getByTestId("task-notice").getByText("Ranking submitted").waitFor();
  });

  it("shows the annotator's counts going up on /annotate", async () => {
    const page = await newPage(annotatorContext);
    await page.goto(`${server.url}/annotate`);
    expect(await statValue(page, "stat-total")).toBe("3");
    expect(await statValue(page, "stat-today")).toBe("3");
    expect(await statValue(page, "stat-demonstrations")).toBe("1");
    expect(await statValue(page, "stat-rankings")).toBe("2");
    expect(await statValue(page, "stat-median")).not.toBe("—");
    await screenshot(page, "annotate");
  });

  it("shows the admin's progress and the research overview with the new responses", async () => {
    const page = await newPage(adminContext);
    await page.goto(`${server.url}/admin`);
    await page.getByTestId("progress-table").getByText(ANNOTATOR.email).first().waitFor();
    await screenshot(page, "admin-progress");
    await page.goto(`${server.url}/research`);
    await page.getByTestId("research-table").getByText(PROJECT).waitFor();
    await screenshot(page, "research");
  });

  it("after sign-in never leaves the site, however the callbackUrl is dressed up", async () => {
    for (const callback of ["/\\evil.example/phish", "/\t/evil.example", "/\\/evil.example", "//evil.example"]) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await newPage(context);
      await page.goto(`${server.url}/login?callbackUrl=${encodeURIComponent(callback)}`);
      await page.fill("#email", ANNOTATOR.email);
      await page.fill("#password", ANNOTATOR.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname !== "/login");
      expect(new URL(page.url()).origin, callback).toBe(server.url);
      await context.close();
    }
  });

  it("refuses an area to a role that may not open it before rendering: the redirect carries no page", async () => {
    const res = await annotatorContext.request.get(`${server.url}/admin/users`, { maxRedirects: 0 });
    expect(res.status()).toBe(307);
    expect(res.headers()["location"]).toMatch(/\/annotate$/);
    const body = await res.text();
    expect(body).not.toContain(server.admin.email);
    expect(body).not.toContain("Create user");
    expect(body.length).toBeLessThan(200);
    const research = await annotatorContext.request.get(`${server.url}/research`, { maxRedirects: 0 });
    expect(research.status()).toBe(307);
    expect(await research.text()).not.toContain("Export");
  });

  it("lets a user change their own password from their account page; their other sessions end", async () => {
    const other = await browser.newContext({ viewport: VIEWPORT });
    const elsewhere = await newPage(other);
    await signIn(elsewhere, ANNOTATOR.email, ANNOTATOR.password);
    await elsewhere.waitForURL("**/annotate");

    const page = await newPage(annotatorContext);
    await page.goto(`${server.url}/annotate`);
    await page.getByTestId("nav-user").click();
    await page.waitForURL("**/account");
    await page.fill("#current-password", ANNOTATOR.password);
    await page.fill("#new-password", "annotator-pass-2");
    await page.fill("#new-password-again", "annotator-pass-3");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("error-banner").innerText()).resolves.toContain("differ");
    await page.fill("#new-password-again", "annotator-pass-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status").innerText()).resolves.toMatch(/Password changed; \d+ other sessions? (was|were) signed out/);
    await screenshot(page, "account");

    // This browser stays signed in; the other one is sent to sign in again.
    await page.goto(`${server.url}/annotate`);
    expect(new URL(page.url()).pathname).toBe("/annotate");
    await elsewhere.goto(`${server.url}/annotate`);
    expect(new URL(elsewhere.url()).pathname).toBe("/login");
    await other.close();
  });

  it("imports a large prompt file in the background: a progress bar, the app answering meanwhile, then the summary", async () => {
    const page = await newPage(adminContext);
    await page.goto(`${server.url}/admin/projects/new`);
    await page.fill("#project-name", "E2E bulk import");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/admin\/projects\/[0-9a-z]+$/);
    const n = 3000;
    const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `Bulk question ${i}: how long does shipping take?` })).join("\n");
    await page.setInputFiles("#prompt-file", { name: "bulk.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(jsonl) });
    await page.getByTestId("import-prompts").click();
    await page.getByTestId("import-progress").waitFor();
    await screenshot(page, "admin-import-progress");
    // The import holds the database only in short batches: other requests are answered while it runs.
    const t0 = Date.now();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.getByTestId("import-result").waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("import-imported").innerText()).resolves.toBe(`${n} imported`);
  });
});
