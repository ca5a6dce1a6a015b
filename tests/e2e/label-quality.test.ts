// Label quality end to end in real Chromium against `next start`: two annotators rank every task by keyboard, one
// carefully and one reversing everything (gold items included); the research page shows the second one's low gold
// accuracy and highlights them; a disagreeing item reaches a reviewer, whose ranking is then what the export holds.
// Saves a screenshot of each new page.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { completionIdFor } from "../../server/services/data-import";
import { exportRecords } from "../../server/services/export";
import { importGold } from "../../server/services/gold";
import { createProject } from "../../server/services/projects";
import { insertPromptIfNew } from "../../server/services/prompts";
import { openRankTask } from "../../server/services/task-queue";
import { createUser } from "../../server/services/users";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";
import { collect } from "../../server/services/async-iter";

const SCREENSHOTS = path.join(REPO_ROOT, "tests", "e2e", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };
const PASSWORD = "quality-pass-1";
const TEXTS = ["alpha answer", "beta answer", "gamma answer"];
const CAREFUL = "careful@e2e.test";
const REVERSER = "reverser@e2e.test";

let server: TestServer;
let browser: Browser;
let db: Db;
let projectId: string;

async function screenshot(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 799);
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function signedInPage(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/login`);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return page;
}

/** Ranks every task of the project by keyboard: completions in text order, or reversed. Returns the prompts seen. */
async function rankEverything(page: Page, reverse: boolean): Promise<number> {
  await page.goto(`${server.url}/annotate/rank?project=${projectId}`);
  let done = 0;
  for (;;) {
    const completions = page.getByTestId("completion");
    const first = completions.first();
    const empty = page.getByText("No more tasks");
    await Promise.race([first.waitFor(), empty.waitFor()]);
    if (await empty.isVisible()) return done;
    const texts = await completions.allInnerTexts();
    const order = TEXTS.map((t) => texts.findIndex((x) => x.includes(t)));
    if (reverse) order.reverse();
    // order[r] is the card that gets rank r + 1.
    for (let r = 0; r < order.length; r++) {
      await completions.nth(order[r]!).focus();
      await page.keyboard.press(String(r + 1));
    }
    const firstId = await first.getAttribute("data-completion-id");
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector("[data-testid=completion]");
        return !el || el.getAttribute("data-completion-id") !== prev;
      },
      firstId,
    );
    done++;
  }
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  browser = await launchBrowser();
  db = openDb(server.databaseUrl);
  projectId = (await createProject(db, { name: "Quality E2E", k: 3, overlap: 2, goldRate: 0.5, likertScale: 0 }, null)).id;
  for (const prompt of ["Which planet is largest?", "Name a prime number."]) {
    const p = await insertPromptIfNew(db, projectId, { prompt });
    await openRankTask(db, { projectId, promptId: p.id, completionIds: await Promise.all(TEXTS.map(async (text) => await completionIdFor(db, p.id, text, null))) });
  }
  await importGold(db, {
    projectId,
    content: ["Gold: spell cat.", "Gold: two plus two?"].map((prompt) => JSON.stringify({ prompt, completions: TEXTS, ranking: [[0], [1], [2]] })).join("\n"),
  });
  for (const [email, role] of [
    [CAREFUL, "annotator"],
    [REVERSER, "annotator"],
    ["reviewer@e2e.test", "reviewer"],
    ["researcher@e2e.test", "researcher"],
  ] as const)
    await createUser(db, { email, role, password: PASSWORD });
}, 300_000);

afterAll(async () => {
  if (db) await closeDatabase(db);
  await browser?.close();
  await server?.stop();
});

describe("label quality in the browser", () => {
  it("two annotators rank every task, gold ones among them", async () => {
    expect(await rankEverything(await signedInPage(CAREFUL), false)).toBe(4);
    expect(await rankEverything(await signedInPage(REVERSER), true)).toBe(4);
  }, 120_000);

  it("the research page shows the reverser's low gold accuracy and highlights them", async () => {
    const page = await signedInPage("researcher@e2e.test");
    await page.goto(`${server.url}/research`);
    await page.getByRole("row", { name: /Quality E2E/ }).getByRole("link", { name: /Label quality/ }).click();
    await page.getByTestId("annotator-table").waitFor();
    const reverser = page.getByTestId("annotator-row").filter({ hasText: REVERSER });
    const careful = page.getByTestId("annotator-row").filter({ hasText: CAREFUL });
    expect(await reverser.getAttribute("data-low-reliability")).toBe("true");
    expect(await careful.getAttribute("data-low-reliability")).toBeNull();
    expect(await reverser.innerText()).toMatch(/spot check/);
    expect(await reverser.locator("td").nth(2).innerText()).toMatch(/^0%/);
    expect(await careful.locator("td").nth(2).innerText()).toMatch(/^100%/);
    expect(await page.getByTestId("quality-alpha").innerText()).not.toBe("—");
    await screenshot(page, "research-quality");
    await page.getByTestId("item-list").getByRole("button").first().click();
    await page.getByTestId("item-rankings").waitFor();
    expect(await page.getByTestId("item-rankings").innerText()).toContain(CAREFUL);
    await page.getByTestId("item-view").scrollIntoViewIfNeeded();
    await screenshot(page, "research-item");
  }, 60_000);

  it("a disagreeing item reaches the reviewer, whose ranking the export then holds", async () => {
    const page = await signedInPage("reviewer@e2e.test");
    expect(new URL(page.url()).pathname).toBe("/review");
    await page.selectOption("#review-project", { label: "Quality E2E" });
    const queue = page.getByTestId("review-queue");
    await queue.waitFor();
    await queue.getByRole("button", { name: /Which planet is largest/ }).click();
    await page.getByTestId("item-rankings").getByText(REVERSER).waitFor();
    await screenshot(page, "review");
    // The reviewer sides with the careful annotator.
    await page.getByTestId("item-rankings").locator("tr", { hasText: CAREFUL }).getByRole("button", { name: "Accept" }).click();
    await queue.getByRole("button", { name: /Which planet is largest/ }).waitFor({ state: "detached" });

    const records = (await collect(exportRecords(db, "rankings", { projectId }))).filter((r) => r.prompt === "Which planet is largest?");
    expect(records).toHaveLength(1);
    expect(records[0]!.annotator).toBe("reviewer@e2e.test");
    const ranked = (records[0]!.ranking as number[][]).map((g) => g.map((i) => (records[0]!.completions as string[])[i]));
    expect(ranked).toEqual([["alpha answer"], ["beta answer"], ["gamma answer"]]);
    // Gold items stay out of the export.
    expect((await collect(exportRecords(db, "rankings", { projectId }))).some((r) => String(r.prompt).startsWith("Gold:"))).toBe(false);
  }, 60_000);

  it("the admin's project page holds the quality settings and the gold import", async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.url}/login`);
    await page.fill("#email", server.admin.email);
    await page.fill("#password", server.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.goto(`${server.url}/admin/projects/${projectId}`);
    expect(await page.inputValue("#project-gold-rate")).toBe("0.5");
    expect(await page.inputValue("#project-selection")).toBe("random");
    await page.getByRole("button", { name: "Import gold items" }).waitFor();
    await screenshot(page, "admin-project-quality");
  }, 60_000);
});
