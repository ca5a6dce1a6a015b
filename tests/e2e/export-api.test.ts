// GET /api/export over HTTP against `next start`: streamed JSONL for researchers (API token or session), 401 without
// credentials, 403 for annotators, 400 with a readable message for a bad format or filter.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { createApiToken } from "../../server/services/api-tokens";
import { importRankings } from "../../server/services/data-import";
import { findProjectByName } from "../../server/services/projects";
import { DEMO_PROJECT_NAME } from "../../server/services/seed";
import { createUser } from "../../server/services/users";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let db: Db;
let researcherToken = "";
let annotatorToken = "";

beforeAll(async () => {
  server = await startTestServer();
  db = openDb(server.databaseUrl);
  const project = (await findProjectByName(db, DEMO_PROJECT_NAME))!;
  const lines = [
    { prompt: "Name a colour.", completions: ["Blue.", "A colour.", "Seven."], ranking: [[0], [1], [2]] },
    { prompt: "Say hi.", chosen: "Hi there!", rejected: "No." },
  ];
  await importRankings(db, { projectId: project.id, content: lines.map((l) => JSON.stringify(l)).join("\n") });
  await createUser(db, { email: "res@e2e.test", role: "researcher", password: "researcher-pass" });
  await createUser(db, { email: "ann@e2e.test", role: "annotator", password: "annotator-pass" });
  researcherToken = (await createApiToken(db, { email: "res@e2e.test", name: "ci" })).token;
  annotatorToken = (await createApiToken(db, { email: "ann@e2e.test", name: "ci" })).token;
}, 240_000);

afterAll(async () => {
  if (db) await closeDatabase(db);
  await server?.stop();
});

const get = (query: string, token?: string) =>
  fetch(`${server.url}/api/export?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("GET /api/export", () => {
  it("streams TRL preference pairs to a researcher with a token", async () => {
    const res = await get("format=trl-preference", researcherToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const records = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(records).toHaveLength(4); // C(3,2) pairs from the ranking + 1 pair
    expect(records).toContainEqual({ prompt: "Name a colour.", chosen: "Blue.", rejected: "Seven." });
    expect(records).toContainEqual({ prompt: "Say hi.", chosen: "Hi there!", rejected: "No." });
  });

  it("filters, and answers bad input with a readable 400", async () => {
    const hh = await get(`format=hh-rlhf&project=${encodeURIComponent(DEMO_PROJECT_NAME)}&split=train`, researcherToken);
    expect(hh.status).toBe(200);
    expect((await hh.text()).split("\n")[0]).toContain("\\n\\nHuman: ");
    const bad = await get("format=parquet", researcherToken);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/unknown export format 'parquet'/);
    const badFilter = await get("format=rankings&min_agreement=7", researcherToken);
    expect(badFilter.status).toBe(400);
  });

  it("refuses callers without credentials (401) and annotators (403)", async () => {
    expect((await get("format=trl-preference")).status).toBe(401);
    expect((await get("format=trl-preference", "rlhf_not-a-token")).status).toBe(401);
    expect((await get("format=trl-preference", annotatorToken)).status).toBe(403);
  });
});

describe("the research page's export panel", () => {
  it("writes the export in the background with a progress bar, then offers the file for download", async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await page.goto(`${server.url}/login?callbackUrl=/research`);
      await page.fill("#email", "res@e2e.test");
      await page.fill("#password", "researcher-pass");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL("**/research");
      // Chosen again until the page follows: on a loaded machine the first choice can land before React hydrates.
      await expect
        .poll(
          async () => {
            await page.selectOption("#export-format", "rankings");
            await page.selectOption("#export-split", "train");
            return page.getByTestId("export-curl").innerText();
          },
          { timeout: 15_000 },
        )
        .toContain("/api/export?format=rankings&split=train");
      await page.getByTestId("export-download").click();
      const link = page.getByTestId("export-file");
      await link.waitFor({ timeout: 30_000 });
      await expect(link.innerText()).resolves.toMatch(/^Download rankings\.jsonl · 2 records · [\d.]+ kB$/);
      const href = (await link.getAttribute("href"))!;
      expect(href).toMatch(/^\/api\/export\/jobs\/\w+$/);
      // The file, with the session: full-fidelity records, as attachment.
      const res = await page.request.get(`${server.url}${href}`);
      expect(res.status()).toBe(200);
      expect(res.headers()["content-disposition"]).toBe('attachment; filename="rankings.jsonl"');
      const first = JSON.parse((await res.text()).split("\n")[0]!);
      expect(Object.keys(first)).toEqual(expect.arrayContaining(["prompt", "completions", "ranking", "annotator", "time_ms", "flags"]));
      // Only its creator (and admins) may have it: an annotator's token is refused, a stranger's id is not found.
      expect((await fetch(`${server.url}${href}`, { headers: { authorization: `Bearer ${annotatorToken}` } })).status).toBe(403);
      expect((await fetch(`${server.url}${href}`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/export/jobs/nope`, { headers: { authorization: `Bearer ${researcherToken}` } })).status).toBe(404);
      const dir = path.join(REPO_ROOT, "tests/e2e/screenshots");
      fs.mkdirSync(dir, { recursive: true });
      await page.mouse.move(0, 0);
      await page.getByTestId("export-file").scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(dir, "research-export.png") });
    } finally {
      await browser.close();
    }
  });
});
