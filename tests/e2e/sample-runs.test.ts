// Closing the loop in real Chromium: an admin starts a sample run from the form that mixes our built-in policy with
// an endpoint (a small OpenAI-compatible server on loopback) in one K; the worker (played by this test process, as the
// e2e server runs none) samples it; the run page shows each sample with its model, and the ranking tasks open in the
// chosen project only. Then the playground puts the two policies side by side on one prompt.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { tasks } from "../../db/schema";
import { createProject, listProjects } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { serveGenerations } from "../../trainer/playground/answer";
import { runWorker } from "../../trainer/worker";
import { launchBrowser } from "../support/browser";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";

const SCREENSHOTS = path.join(REPO_ROOT, "tests", "e2e", "screenshots");

let server: TestServer;
let browser: Browser;
let page: Page;
let db: Db;
let fake: FakeOpenAI;
let demoProject: { id: string; name: string };
let otherProject: string;

async function screenshot(name: string) {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 799);
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fake = await startFakeOpenAI();
  server = await startTestServer();
  db = openDb(server.databaseUrl);
  // Worker code in this process reads models under the server's data folder.
  process.env.RLHF_HOME = server.dataDir;
  process.env.DATABASE_URL = server.databaseUrl;
  demoProject = (await listProjects(db))[0]!;
  await importPromptRows(db, demoProject.id, [{ prompt: "Name a colour." }, { prompt: "Say hello\nin two lines." }, { prompt: "Count to three." }] as never, null);
  otherProject = (await createProject(db, { name: "Other project" }, null)).id;
  await importPromptRows(db, otherProject, [{ prompt: "Not this one." }] as never, null);
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/login?callbackUrl=/admin/runs`);
  await page.fill("#email", server.admin.email);
  await page.fill("#password", server.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/admin/runs");
  // The session is in place once the page has rendered for the signed-in admin.
  await page.waitForSelector("#run-kind");
}, 240_000);

afterAll(async () => {
  if (process.env.E2E_DEBUG) {
    await page?.screenshot({ path: path.join(SCREENSHOTS, "debug.png") });
    console.log(server?.logs().slice(-4000));
  }
  await browser?.close();
  if (db) await closeDatabase(db);
  await server?.stop();
  await fake?.close();
});

describe("a sample run from the browser", () => {
  it("an admin registers an endpoint policy from the models page; a key pasted as its variable is refused", async () => {
    await page.goto(`${server.url}/admin/models`);
    await page.fill("#ep-name", "local-llm");
    await page.fill("#ep-url", fake.url);
    await page.fill("#ep-model", "llama-test");
    await page.fill("#ep-key", "sk-live-123");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByTestId("error-banner").innerText()).resolves.toContain("'sk-live-123' is not an environment variable name");
    await page.fill("#ep-key", "");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByRole("status").waitFor();
    await page.waitForSelector('[data-testid="model-row"][data-model="local-llm"]');
    await expect(page.locator('[data-model="local-llm"]').innerText()).resolves.toContain("endpoint: llama-test");
    await screenshot("models-endpoint");
    await page.goto(`${server.url}/admin/runs`);
  });

  it("mixes two policies in one K and opens ranking tasks in the chosen project only", async () => {
    const rankBefore = (await db.select().from(tasks)).filter((t) => t.kind === "rank").length;
    await page.selectOption("#run-kind", "sample");
    await page.selectOption("#run-project", demoProject.name);
    const policies = page.getByTestId("sample-policies");
    await policies.getByLabel("base").check();
    await policies.getByLabel(/local-llm/).check();
    await page.getByTestId("run-settings").locator("summary").click();
    await page.fill("#config-k", "4");
    await page.fill("#config-max_new_tokens", "12");
    await page.fill("#config-max_prompts", "3");
    await screenshot("sample-run-form");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.getByRole("status").getByRole("link").click();
    await page.waitForURL("**/admin/runs/*");
    const runId = page.url().split("/").pop()!;

    const summary = await runWorker(db, { once: true });
    expect(summary.results.map((r) => [r.run.id, r.error])).toEqual([[runId, null]]);
    await page.reload();
    await page.waitForSelector('[data-testid="run-sample"]');
    const samples = page.getByTestId("run-sample");
    await expect(samples.count()).resolves.toBe(12);
    const models = await samples.evaluateAll((els) => els.map((e) => e.getAttribute("data-model")));
    expect(models.filter((m) => m === "base")).toHaveLength(6);
    expect(models.filter((m) => m === "local-llm")).toHaveLength(6);
    await screenshot("sample-run-page");

    await page.goto(`${server.url}/admin/runs`);
    await expect(page.getByTestId("run-row").first().innerText()).resolves.toContain(`samples base, local-llm into ${demoProject.name}`);
    await screenshot("sample-runs-list");

    const rank = (await db.select().from(tasks)).filter((t) => t.kind === "rank");
    expect(rank.length).toBe(rankBefore + 3);
    expect(rank.some((t) => t.projectId === otherProject)).toBe(false);
  });

  it("the playground samples two policies side by side, whitespace kept", async () => {
    await page.goto(`${server.url}/admin/playground`);
    await page.selectOption("#pg-left", "base");
    await page.selectOption("#pg-right", "local-llm");
    await page.getByLabel("Prompt text").fill("Say hello\n  in two lines.");
    await page.fill("#pg-max_new_tokens", "16");
    await page.getByRole("button", { name: "Generate both" }).click();
    await page.waitForSelector('[data-testid="playground-answer"][data-model="local-llm"][data-status="succeeded"]');
    // Our model waits for the worker: answer it here, as `npm start`'s worker would.
    await expect(page.locator('[data-testid="playground-answer"][data-model="base"]').getAttribute("data-status")).resolves.toBe("queued");
    expect(await serveGenerations(db, { workerId: "e2e", shouldStop: () => false, once: true })).toBe(1);
    await page.waitForSelector('[data-testid="playground-answer"][data-model="base"][data-status="succeeded"]');
    const endpointText = await page.locator('[data-model="local-llm"] [data-testid="playground-output"]').innerText();
    expect(endpointText).toContain("llama-test answer");
    const style = await page.locator('[data-model="local-llm"] [data-testid="playground-output"]').evaluate((e) => getComputedStyle(e).whiteSpace);
    expect(style).toBe("pre-wrap");
    await screenshot("playground");
  });
});
