// Screenshots of real runs for the README: signs in to a running app and photographs the runs list, one run's page
// and the model registry at 1280×800. Point the app at a database that holds real runs first (for example the one
// `npm run proof -- --work DIR` leaves in DIR/<judge>/rlhf.db, with RLHF_HOME=DIR and RLHF_WORKER=0).
//
//   node trainer/bin/run-ts.mjs scripts/readme-screenshots.ts URL EMAIL PASSWORD RUN_ID OUT_DIR
import path from "node:path";
import { launchBrowser } from "../tests/support/browser";

const [url, email, password, runId, outDir] = process.argv.slice(2);
if (!url || !email || !password || !runId || !outDir) throw new Error("usage: readme-screenshots.ts URL EMAIL PASSWORD RUN_ID OUT_DIR");

const browser = await launchBrowser();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${url}/login?callbackUrl=/admin/runs`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/admin/runs");
  const shoot = async (name: string, fullPage = false) => {
    await page.evaluate(() => document.fonts.ready);
    await page.mouse.move(0, 799);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage });
  };
  await page.waitForSelector('[data-testid="run-row"]');
  await shoot("runs-list");
  await page.goto(`${url}/admin/runs/${runId}`);
  await page.waitForSelector('[data-testid="metric-chart"]');
  await shoot("runs-ppo", true); // every chart group: losses, reward and score, KL, policy, value
  await page.goto(`${url}/admin/models`);
  await page.waitForSelector('[data-testid="model-row"]');
  await shoot("runs-models");
} finally {
  await browser.close();
}
