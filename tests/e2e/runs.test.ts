// Training runs in real Chromium: an admin starts a run from the form, watches its metric charts (the test plays the
// worker through the run services, since the e2e server runs none), cancels a queued run and browses the models.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { runConfigFields } from "../../server/services/run-kinds/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { importDemonstrations } from "../../server/services/data-import";
import { findModel, registerModel } from "../../server/services/models";
import { listProjects } from "../../server/services/projects";
import { ensureBuiltinModel } from "../../server/services/builtin-model";
import { createUser } from "../../server/services/users";
import { appendLog, claimNextRun, completeRun, createRun, logMetrics, setProgress } from "../../server/services/runs";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";

const SCREENSHOTS = path.join(REPO_ROOT, "tests", "e2e", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };

let server: TestServer;
let browser: Browser;
let page: Page;
let db: Db;

async function screenshot(name: string) {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 799);
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** A deterministic, slightly noisy decay: what a loss curve looks like. */
const wobble = (step: number) => Math.sin(step * 2.3) * 0.04 + Math.sin(step * 0.7) * 0.03;

/** What the SFT trainer reports, step by step, as the worker would write it. */
async function playSftWorker(runId: string, steps: number) {
  for (let step = 1; step <= steps; step++) {
    const lr = 1e-4 * (step <= 6 ? step / 6 : 0.5 * (1 + Math.cos((Math.PI * (step - 6)) / (steps - 6))));
    await logMetrics(db, runId, step, { "train/loss": 2.4 * Math.exp(-step / 18) + 0.9 + wobble(step), "train/lr": lr, "train/grad_norm": 1.2 * Math.exp(-step / 30) + 0.3 + wobble(step) });
    if (step % 10 === 0) await logMetrics(db, runId, step, { "eval/loss": 2.4 * Math.exp(-step / 20) + 1.05 });
    if (step % 10 === 0) await appendLog(db, runId, `step ${step}/60: train/loss ${(2.4 * Math.exp(-step / 18) + 0.9).toFixed(4)}`);
  }
  await setProgress(db, runId, steps / 60);
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  db = openDb(server.databaseUrl);
  // The first start registered the shipped base policy; the e2e runs build on it.
  const base = (await ensureBuiltinModel(db))!;
  await registerModel(db, { name: "base-rm", kind: "reward", path: "models/base-rm", tokenizer: "words", parentId: base.id, config: { n_layer: 2, metrics: { "eval/accuracy": 0.71 } } });
  // An SFT run is only queued when there are demonstrations to train on.
  const demo = (await listProjects(db))[0]!;
  const demos = ["Name a colour.", "Say hello."].map((prompt, i) => JSON.stringify({ prompt, completion: i ? "Hello!" : "Blue." }));
  await importDemonstrations(db, { projectId: demo.id, content: demos.join("\n") });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/login?callbackUrl=/admin/runs`);
  await page.fill("#email", server.admin.email);
  await page.fill("#password", server.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/admin/runs");
  // Typing before hydration is lost when React takes over the inputs: the model picker is enabled once it has.
  await page.waitForSelector("#run-base:not([disabled])");
}, 240_000);

afterAll(async () => {
  if (process.env.E2E_DEBUG) await page?.screenshot({ path: path.join(SCREENSHOTS, "debug-runs.png"), fullPage: true });
  await browser?.close();
  if (db) await closeDatabase(db);
  await server?.stop();
});

describe("training runs in the browser", () => {
  let sftRunId = "";

  it("starts an SFT run from the form's settings and lists it as queued; refuses a bad value before queuing", async () => {
    // The settings are the trainer's own config keys, each at its library default, with the reason beside it.
    await page.getByTestId("run-settings").locator("summary").click();
    // Every SFT config key but `project`, which is the form's own picker above them.
    const keys = runConfigFields("sft").map((f) => f.key).filter((k) => k !== "project");
    await expect(page.locator("[data-config-key]").count()).resolves.toBe(keys.length);
    await expect(page.locator("#config-learning_rate").inputValue()).resolves.toBe("0.0001");
    await expect(page.locator("#config-learning_rate-why").innerText()).resolves.toContain("fine-tune stably");

    await page.fill("#config-learning_rate", "fast");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByTestId("error-banner").innerText()).resolves.toContain('learning_rate must be a number (got "fast")');
    // A value out of range is refused by the server with the CLI's own message, and nothing is queued.
    await page.fill("#config-learning_rate", "0");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByTestId("error-banner").innerText()).resolves.toContain("sft config: learning_rate must be greater than 0 (got 0)");
    await expect(page.getByTestId("run-row").count()).resolves.toBe(0);
    await page.getByRole("button", { name: "reset to 0.0001" }).click();

    // PPO asks for a reward model and shows PPO's keys; going back to SFT hides it again.
    await page.selectOption("#run-kind", "ppo");
    await expect(page.locator("#run-reward").inputValue()).resolves.toBe("base-rm");
    await expect(page.locator("#config-beta").inputValue()).resolves.toBe("0.3");
    await page.selectOption("#run-kind", "sft");
    await page.fill("#config-max_steps", "60");
    await page.fill("#config-eval_steps", "10");
    await expect(page.getByTestId("run-settings").locator("summary").innerText()).resolves.toContain("2 changed");
    await page.fill("#run-name", "base-sft-e2e");
    await page.getByRole("button", { name: "Start run" }).click();
    const row = page.getByTestId("run-row").filter({ hasText: "base-sft-e2e" });
    await expect(row.getByTestId("run-status").getAttribute("data-status")).resolves.toBe("queued");
    sftRunId = (await row.getAttribute("data-run-id"))!;
    await screenshot("runs");
  });

  it("draws the run's metrics as SVG line charts, train and eval loss together, with a hover tooltip", async () => {
    expect((await claimNextRun(db, "e2e-worker"))?.id).toBe(sftRunId);
    await playSftWorker(sftRunId, 36);
    await page.getByTestId("run-row").getByRole("link", { name: "base-sft-e2e" }).click();
    await page.waitForURL(`**/admin/runs/${sftRunId}`);
    const loss = page.locator('[data-testid="metric-chart"][data-title="loss"]');
    await expect(loss.locator("path[data-series='train/loss']").getAttribute("data-points")).resolves.toBe("36");
    await expect(loss.locator("path[data-series='eval/loss']").getAttribute("data-points")).resolves.toBe("3");
    expect(await loss.locator("path[data-series='train/loss']").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){35}$/);
    await expect(page.getByTestId("metric-chart").count()).resolves.toBe(3); // loss, lr, grad_norm
    await expect(page.getByTestId("run-log").innerText()).resolves.toContain("step 30/60");

    // The page polls while the run is active: new steps appear without a reload.
    for (let step = 37; step <= 60; step++) await logMetrics(db, sftRunId, step, { "train/loss": 2.4 * Math.exp(-step / 18) + 0.9 + wobble(step) });
    await page.waitForSelector("path[data-series='train/loss'][data-points='60']");

    const box = (await loss.getByTestId("chart-hover-area").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(loss.getByRole("tooltip").innerText()).resolves.toMatch(/step \d+/);
    await page.getByRole("heading", { name: "Metrics" }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, "runs-charts.png") });
  });

  it("shows a finished PPO run with its reward, KL and policy charts and its output model", async () => {
    const base = (await findModel(db, "base"))!;
    const rm = (await findModel(db, "base-rm"))!;
    const run = await createRun(db, { kind: "ppo", name: "base-ppo", config: { max_steps: 20 }, baseModelId: base.id, rewardModelId: rm.id, startedBy: { workerId: "e2e-worker" } });
    for (let it = 1; it <= 20; it++)
      await logMetrics(db, run.id, it, {
        "objective/scores": -0.6 + 1.4 * (1 - Math.exp(-it / 6)) + wobble(it),
        "objective/rlhf_reward": -0.6 + 1.3 * (1 - Math.exp(-it / 6)) + wobble(it),
        "objective/kl": 0.25 * it ** 0.8 + wobble(it),
        "objective/kl_coef": 0.05,
        "policy/approxkl_avg": 0.004 + 0.002 * Math.abs(Math.sin(it)),
        "policy/clipfrac_avg": 0.05 + 0.04 * Math.abs(Math.sin(it * 1.3)),
        "policy/entropy_avg": 2.2 - it * 0.03 + wobble(it),
        "loss/policy_avg": -0.02 + wobble(it) / 4,
        "loss/value_avg": 0.8 * Math.exp(-it / 5) + 0.05,
        "val/explained_variance": 0.9 * (1 - Math.exp(-it / 4)) - 0.3,
      });
    await completeRun(db, run.id, { name: "base-ppo", kind: "policy", path: "models/base-ppo", tokenizer: "words", parentId: base.id });
    await page.goto(`${server.url}/admin/runs/${run.id}`);
    await expect(page.getByTestId("run-status").getAttribute("data-status")).resolves.toBe("succeeded");
    for (const group of ["Losses", "Reward and score", "KL", "Policy"]) await expect(page.getByRole("region", { name: group }).count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: "base-ppo" }).count()).resolves.toBe(1);
    await screenshot("runs-ppo");
    // A smaller laptop screen: charts wrap to three a row and nothing overflows sideways.
    await page.setViewportSize({ width: 1024, height: 640 });
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await screenshot("runs-ppo-laptop");
    await page.setViewportSize(VIEWPORT);
  });

  it("cancels a queued run from its page", async () => {
    const run = await createRun(db, { kind: "dpo", name: "base-dpo", config: {} });
    await page.goto(`${server.url}/admin/runs/${run.id}`);
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    await page.waitForSelector('[data-testid="run-status"][data-status="cancelled"]');
    await expect(page.getByRole("button", { name: "Cancel run" }).count()).resolves.toBe(0);
  });

  it("lists the models as a lineage tree with a 'Train from this' link that pre-fills the form", async () => {
    await page.goto(`${server.url}/admin/models`);
    await page.waitForSelector('[data-testid="model-row"]');
    const names = await page.getByTestId("model-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-model")));
    expect(names).toEqual(["base", "base-rm", "base-ppo"]);
    await screenshot("runs-models");
    await page.locator('[data-model="base-ppo"]').getByTestId("train-from").click();
    await page.waitForURL("**/admin/runs?base=base-ppo");
    await expect(page.locator("#run-base").inputValue()).resolves.toBe("base-ppo");
  });

  it("shows researchers the runs and charts read-only: no form, no cancel", async () => {
    await createUser(db, { email: "res@e2e.test", role: "researcher", password: "researcher-pass-1" });
    const researcher = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await researcher.goto(`${server.url}/login?callbackUrl=/research/runs`);
    await researcher.fill("#email", "res@e2e.test");
    await researcher.fill("#password", "researcher-pass-1");
    await researcher.getByRole("button", { name: "Sign in" }).click();
    await researcher.waitForURL("**/research/runs");
    await researcher.getByTestId("run-row").getByRole("link", { name: "base-sft-e2e" }).click();
    await researcher.waitForSelector("path[data-series='train/loss']");
    await expect(researcher.getByRole("button", { name: "Cancel run" }).count()).resolves.toBe(0);
    await expect(researcher.getByTestId("run-settings").count()).resolves.toBe(0);
    await researcher.close();
  });

  it("an admin creates an export token on their account page, uses it, and revokes it", async () => {
    await page.goto(`${server.url}/account`);
    await page.fill("#token-name", "training cluster");
    await page.fill("#token-days", "30");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").innerText()).trim();
    expect(token).toMatch(/^rlhf_/);
    const exportWith = (t: string) => fetch(`${server.url}/api/export?format=trl-preference`, { headers: { authorization: `Bearer ${t}` } });
    expect((await exportWith(token)).status).toBe(200);
    const row = page.getByTestId("token-row").filter({ hasText: "training cluster" });
    await expect(row.innerText()).resolves.toContain("active");
    await page.reload();
    await expect(row.innerText()).resolves.not.toContain("never"); // last used: just now
    await screenshot("account-tokens");
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByText("revoked").waitFor();
    expect((await exportWith(token)).status).toBe(401);
  });
});
