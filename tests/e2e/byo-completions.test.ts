// Bring your own model's outputs, end to end in Chromium: an admin imports a prompt file carrying completions from
// two named models (and a chat transcript), an annotator ranks them blind, and the project leaderboard and the model
// page show the win rate with its interval. Also the defects met on the way: the prompt list's counts, the export
// panel's bad filter and empty result, the runs page's hydration and the missing favicon.
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";
import { runs } from "../../db/schema";
import { createProject } from "../../server/services/projects";
import { createUser } from "../../server/services/users";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";

const SCREENSHOTS = path.join(REPO_ROOT, "tests", "e2e", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };
const ANNOTATOR = { email: "ranker@e2e.test", password: "ranker-pass-123" };

let server: TestServer;
let browser: Browser;
let admin: BrowserContext;
let annotator: BrowserContext;
let projectId: string;
/** Console errors and failed requests per page visited, checked at the end. */
const problems: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("console", (m) => {
    // Starting an export answers 400 for a bad filter on purpose (the export panel test below wants it).
    if (m.type() === "error" && !m.location().url.includes("/api/trpc/exports.start")) problems.push(`${page.url()}: console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${page.url()}: pageerror: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() === 404) problems.push(`${page.url()}: 404 ${r.url()}`);
  });
  return page;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

async function screenshot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 799);
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  // Set-up through the services on the server's own database file (WAL: both processes may use it).
  const db = openDb(server.databaseUrl, { migrate: false });
  try {
    projectId = (await createProject(db, { name: "Bring your own model", k: 4, allowTies: false }, null)).id;
    await createUser(db, { email: ANNOTATOR.email, role: "annotator", password: ANNOTATOR.password });
    // A finished and a running run, so the runs page renders dates (the hydration check below).
    await db.insert(runs).values({ kind: "sft", status: "succeeded", startedAt: new Date(), finishedAt: new Date() });
    await db.insert(runs).values({ kind: "sft", status: "running", startedAt: new Date() });
  } finally {
    await closeDatabase(db);
  }
  browser = await launchBrowser();
  // The admin's browser is in another time zone and locale than the server: dates must not differ between the two renders.
  admin = await browser.newContext({ viewport: VIEWPORT, timezoneId: "America/Los_Angeles", locale: "de-DE" });
  annotator = await browser.newContext({ viewport: VIEWPORT });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const FILE = [
  { prompt: "What is 6 times 61?", completions: [{ text: "Alpha says:\n366.\n12.", model: "alpha-7b" }, { text: "Beta says: 366", model: "beta-7b" }] },
  { prompt: "Name a prime.", completions: [{ text: "Alpha says: 7", model: "alpha-7b" }, { text: "Beta says: 9", model: "beta-7b" }] },
  {
    messages: [
      { role: "user", content: "Hi! Can you help with a recipe?" },
      { role: "assistant", content: "Of course. Which one?" },
      { role: "user", content: "Pancakes, for two." },
    ],
    completions: [{ text: "Alpha says: 1 egg, 100 g flour", model: "alpha-7b" }, { text: "Beta says: 2 eggs, 200 g flour, 300 ml milk", model: "beta-7b" }],
  },
  // A transcript without completions: a demonstration task, shown as a conversation.
  { messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Hello" }, { role: "assistant", content: "Hi." }, { role: "user", content: "Explain tides\nin two lines." }] },
];

describe("bring your own model's completions", () => {
  it("the admin imports a prompt file with two models' completions; the prompt list counts them", async () => {
    const page = await newPage(admin);
    await signIn(page, server.admin.email, server.admin.password);
    await page.goto(`${server.url}/admin/projects/${projectId}`);
    const jsonl = FILE.map((r) => JSON.stringify(r)).join("\n");
    await page.setInputFiles("#prompt-file", { name: "byo.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(jsonl) });
    await page.getByTestId("import-prompts").click();
    await page.getByTestId("import-result").waitFor();
    await expect(page.getByTestId("import-imported").innerText()).resolves.toBe("4 imported");
    await page.getByTestId("prompt-rows").getByText("Name a prime.").waitFor();
    await expect.poll(() => page.getByTestId("prompt-counts").allInnerTexts()).toEqual(["2 / 0 / 0", "2 / 0 / 0", "2 / 0 / 0", "0 / 0 / 0"]);
    await page.close();
  });

  it("the annotator ranks each pair blind (alpha wins two of three), seeing text as written and the chat as turns", async () => {
    const page = await newPage(annotator);
    await signIn(page, ANNOTATOR.email, ANNOTATOR.password);
    await page.goto(`${server.url}/annotate/rank?project=${projectId}`);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const cards = page.getByTestId("completion");
      await cards.first().waitFor();
      await expect.poll(() => cards.count()).toBe(2); // K from the file, not the project's k = 4
      const prompt = (await page.getByTestId("prompt-text").innerText()).trim();
      seen.push(prompt);
      const texts = await page.getByTestId("completion-text").allInnerTexts();
      if (prompt.includes("6 times 61")) {
        // Plain text with its newlines: "366." is not turned into a list item.
        expect(texts.find((t) => t.startsWith("Alpha"))).toBe("Alpha says:\n366.\n12.");
        expect(await page.getByTestId("completion").locator("li").count()).toBe(0);
      }
      if (prompt.includes("Pancakes")) {
        expect(await page.getByTestId("prompt-turn").count()).toBe(3);
        await screenshot(page, "rank-chat-two-models");
      }
      // Alpha wins the first two prompts it sees, beta the recipe.
      const winner = prompt.includes("Pancakes") ? "Beta" : "Alpha";
      const winnerIndex = texts.findIndex((t) => t.startsWith(winner));
      await cards.nth(winnerIndex).focus();
      await page.keyboard.press("1");
      await cards.nth(1 - winnerIndex).focus();
      await page.keyboard.press("2");
      const firstId = await cards.first().getAttribute("data-completion-id");
      await page.getByTestId("submit-ranking").click();
      await page.getByTestId("task-notice").getByText("Ranking submitted").waitFor();
      if (i < 2)
        await page.waitForFunction((prev) => {
          const el = document.querySelector("[data-testid=completion]");
          return !!el && el.getAttribute("data-completion-id") !== prev;
        }, firstId);
    }
    expect(seen.some((p) => p.includes("Pancakes"))).toBe(true);

    // The transcript's demonstration task shows the conversation, turn by turn, newlines kept.
    await page.goto(`${server.url}/annotate/demonstrate?project=${projectId}`);
    const turns = page.getByTestId("prompt-turn");
    await turns.first().waitFor();
    expect(await turns.evaluateAll((els) => els.map((e) => e.getAttribute("data-role")))).toEqual(["system", "user", "assistant", "user"]);
    await expect(turns.last().innerText()).resolves.toContain("Explain tides\nin two lines.");
    await screenshot(page, "demonstrate-chat");
    await page.close();
  });

  it("the project leaderboard ranks alpha first with its rating interval and win rate 66.7% [20.8%, 93.9%]", async () => {
    const page = await newPage(admin);
    await page.goto(`${server.url}/admin/projects/${projectId}`);
    await page.getByTestId("leaderboard-link").click();
    await page.waitForURL(`**/admin/projects/${projectId}/leaderboard`);
    const rows = page.getByTestId("leaderboard-row");
    await rows.first().waitFor();
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-model")))).toEqual(["alpha-7b", "beta-7b"]);
    const alphaRates = page.getByTestId("win-rate").first();
    await expect(alphaRates.getByTestId("win-rate-value").innerText()).resolves.toBe("66.7%");
    await expect(alphaRates.getByTestId("win-rate-ci").innerText()).resolves.toBe("20.8% – 93.9% · n = 3");
    await screenshot(page, "leaderboard");

    await rows.first().getByRole("link", { name: "alpha-7b" }).click();
    await page.waitForURL("**/admin/models/alpha-7b");
    const rate = page.locator('[data-testid=win-rate][data-against="beta-7b"]');
    await expect(rate.getByTestId("win-rate-value").innerText()).resolves.toBe("66.7%");
    await expect(rate.getByTestId("win-rate-ci").innerText()).resolves.toBe("20.8% – 93.9% · n = 3");
    await page.getByText("A model named in imported completions").waitFor();
    await screenshot(page, "model-page");
    await page.close();
  });

  it("the export panel shows a bad filter's error and says when nothing matched, offering neither for download", async () => {
    const page = await newPage(admin);
    const downloads: string[] = [];
    page.on("download", (d) => downloads.push(d.suggestedFilename()));
    await page.goto(`${server.url}/research`);
    await page.selectOption("#export-format", "rankings");
    await page.fill("#export-agreement", "7");
    await page.getByTestId("export-download").click();
    await expect(page.getByTestId("export-notice").innerText()).resolves.toMatch(/min agreement must be a number from 0 to 1/);
    await page.fill("#export-agreement", "");
    await page.selectOption("#export-project", "Bring your own model");
    await page.selectOption("#export-split", "test");
    await page.getByTestId("export-download").click();
    await expect(page.getByTestId("export-notice").innerText()).resolves.toMatch(/Nothing matched these filters/);
    await screenshot(page, "research-export-nothing-matched");
    await expect(page.getByTestId("export-file").count()).resolves.toBe(0);
    await page.selectOption("#export-split", "train");
    await page.getByTestId("export-download").click();
    const download = page.waitForEvent("download");
    await page.getByTestId("export-file").click();
    const file = await download;
    const lines = fs.readFileSync((await file.path())!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3); // the three ranked prompts (the transcript has no ranking)
    expect(lines[0]).toMatchObject({ models: expect.arrayContaining(["alpha-7b", "beta-7b"]), ratings: {} });
    expect(downloads).toEqual(["rankings.jsonl"]);
    await page.close();
  });

  it("/admin/runs hydrates without errors, and no page asked for a missing file (favicon included)", async () => {
    const page = await newPage(admin);
    await page.goto(`${server.url}/admin/runs`);
    await page.getByRole("form", { name: "New run" }).waitFor();
    await page.getByTestId("run-status").first().waitFor();
    await page.reload();
    await page.getByTestId("run-status").first().waitFor();
    await page.waitForTimeout(1000);
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(problems).toEqual([]);
    await page.close();
  });
});
