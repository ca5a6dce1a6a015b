// Policies behind an OpenAI-compatible API, against a real HTTP server on loopback driven through the `openai`
// client: registering one (`rlhf models add-endpoint`), sampling with n/temperature/top_p/max_tokens and the key read
// from its variable, retries on 500, clear one-line errors for a server that is down, slow, malformed or short of
// choices, and `rlhf sample` mixing one of our models with an endpoint in one K, stored per batch and resumable.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";
import { completions, prompts, runs, tasks } from "../../db/schema";
import { sampleEndpoint } from "../../server/services/endpoint-sampling";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { claimNextRun } from "../../server/services/runs";
import { executeRun } from "../../trainer/runs/execute";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";
import { onPostgres } from "../support/db";

let env: CliEnv;
let fake: FakeOpenAI;
const endpoint = () => ({ baseUrl: `${fake.url}/v1`, model: "fake-llm", api: "chat" as const });

beforeAll(async () => {
  env = cliEnv("rlhf-endpoint-");
  fake = await startFakeOpenAI();
  const tinyDir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  await env.withDb(async (db) => {
    await seedDemonstrations(db);
    await registerTiny(db, "tiny", tinyDir);
    // A second project: a sample run must never open tasks here.
    const other = await createProject(db, { name: "Other" }, null);
    await importPromptRows(db, other.id, [{ prompt: "Elsewhere." }] as never, null);
  });
});
afterAll(async () => {
  await fake.close();
  await env.restore();
});

describe("rlhf models add-endpoint", () => {
  it("registers an endpoint policy with the variable's name, never a key", async () => {
    const r = await rlhf("models", "add-endpoint", "--name", "fake", "--base-url", fake.url, "--model", "fake-llm", "--api-key-env", "FAKE_KEY", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ model: "fake", source: "endpoint", endpoint: { baseUrl: `${fake.url}/v1`, model: "fake-llm", api: "chat", apiKeyEnv: "FAKE_KEY" } });
    const c = await rlhf("models", "add-endpoint", "--name", "fake-completions", "--base-url", `${fake.url}/v1/`, "--model", "fake-llm", "--completions", "--json");
    expect(c.json!.endpoint).toEqual({ baseUrl: `${fake.url}/v1`, model: "fake-llm", api: "completions" });
    const list = await rlhf("models", "list", "--json");
    expect(list.json!.models.find((m: { name: string }) => m.name === "fake")).toMatchObject({ source: "endpoint", path: "" });
  });

  it.each([
    [["--base-url", "ftp://x"], "base URL 'ftp://x' must start with http:// or https://"],
    [["--base-url", "http://u:p@host"], "the base URL must not carry credentials; put the key in an environment variable and pass --api-key-env VAR"],
    [["--base-url", "http://h", "--api-key-env", "sk-123"], "'sk-123' is not an environment variable name; give the variable's name (like OPENAI_API_KEY), never the key itself"],
    [["--base-url", "http://h", "--name", "fake"], "a model named 'fake' already exists; pick another --name"],
  ])("refuses %j in one line", async (flags, message) => {
    const name = flags.includes("--name") ? [] : ["--name", "bad"];
    const r = await rlhf("models", "add-endpoint", ...name, "--model", "m", ...flags, "--json");
    expect(r.code).not.toBe(0);
    expect(errorLine(r)).toBe(`rlhf: ${message}`);
  });

  it("`rlhf generate` samples an endpoint through its API", async () => {
    process.env.FAKE_KEY = "k";
    const r = await rlhf("generate", "--model", "fake", "--prompt", "Say hi.", "--n", "2", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json!.completions).toHaveLength(2);
    expect(r.json!.completions[0].text).toContain("fake-llm answer");
    delete process.env.FAKE_KEY;
    const noKey = await rlhf("generate", "--model", "fake", "--prompt", "x", "--json");
    expect(errorLine(noKey)).toBe("rlhf: endpoint 'fake': environment variable FAKE_KEY (its API key) is not set");
  });

  it("an endpoint cannot be a training base", async () => {
    const r = await rlhf("train", "sft", "--base", "fake", "--queue", "--json");
    expect(r.json!.error).toBe("base model fake: 'fake' is an endpoint model (served elsewhere); it can be sampled but not trained or loaded here: pick a checkpoint of ours");
  });
});

describe("sampling an endpoint through the openai client", () => {
  const params = { n: 3, temperature: 0.7, topP: 0.9, maxTokens: 20 };

  it("sends n, temperature, top_p, max_tokens and the key read from its variable now", async () => {
    fake.requests.length = 0;
    const texts = await sampleEndpoint("fake", { ...endpoint(), apiKeyEnv: "FAKE_KEY" }, "Say hi.", params, { env: { FAKE_KEY: "secret-1" } });
    expect(texts).toHaveLength(3);
    expect(fake.requests[0]).toMatchObject({ path: "/v1/chat/completions", authorization: "Bearer secret-1" });
    expect(fake.requests[0]!.body).toMatchObject({ model: "fake-llm", n: 3, temperature: 0.7, top_p: 0.9, max_tokens: 20, messages: [{ role: "user", content: "Say hi." }] });
    await expect(sampleEndpoint("fake", { ...endpoint(), apiKeyEnv: "FAKE_KEY" }, "x", params, { env: {} })).rejects.toThrow("endpoint 'fake': environment variable FAKE_KEY (its API key) is not set");
  });

  it("retries a 500 with backoff, and names the endpoint when it keeps failing", async () => {
    fake.setMode("error500", 1);
    expect(await sampleEndpoint("fake", endpoint(), "x", params, { maxRetries: 2 })).toHaveLength(3);
    fake.setMode("error500");
    await expect(sampleEndpoint("fake", endpoint(), "x", params, { maxRetries: 0 })).rejects.toThrow(
      `endpoint 'fake' (${fake.url}/v1, model fake-llm) answered HTTP 500: the model crashed`,
    );
    fake.setMode("ok");
  });

  it("asks again when a server returns fewer choices than n; none at all is an error", async () => {
    fake.setMode("one-choice");
    expect(await sampleEndpoint("fake", endpoint(), "x", params)).toHaveLength(3);
    fake.setMode("no-choices");
    await expect(sampleEndpoint("fake", endpoint(), "x", params)).rejects.toThrow("it returned no completions (asked for 3)");
    fake.setMode("ok");
  });

  it("malformed JSON, a timeout and a server that is down are one-line errors naming the endpoint", async () => {
    fake.setMode("malformed");
    const bad = await sampleEndpoint("fake", endpoint(), "x", params, { maxRetries: 0 }).catch((e: Error) => e.message);
    expect(bad).toMatch(/^endpoint 'fake' \(.*\) (returned a response that is not valid JSON|failed: .*JSON.*)$/);
    fake.setMode("slow");
    const slow = await sampleEndpoint("fake", endpoint(), "x", params, { timeoutMs: 300, maxRetries: 0 }).catch((e: Error) => e.message);
    expect(slow).toBe(`endpoint 'fake' (${fake.url}/v1, model fake-llm) did not answer in time (request timed out)`);
    fake.setMode("ok");
    const closed = await startFakeOpenAI();
    await closed.close();
    const down = await sampleEndpoint("gone", { baseUrl: `${closed.url}/v1`, model: "m", api: "chat" }, "x", params, { maxRetries: 0 }).catch((e: Error) => e.message);
    expect(down).toBe(`endpoint 'gone' (${closed.url}/v1, model m) is unreachable: connection refused (is the server running?)`);
  });

  it("a chat prompt goes over whole: as messages to chat endpoints, as a transcript to completions endpoints", async () => {
    const turns = [{ role: "user", content: "Hi." }, { role: "assistant", content: "Hello!" }, { role: "user", content: "Tell a joke." }];
    fake.requests.length = 0;
    await sampleEndpoint("fake", endpoint(), turns, { ...params, n: 1 });
    await sampleEndpoint("fake", { ...endpoint(), api: "completions" }, turns, { ...params, n: 1 });
    expect(fake.requests[0]!.body.messages).toEqual(turns);
    expect(fake.requests[1]!.body.prompt).toBe("Human: Hi.\n\nAssistant: Hello!\n\nHuman: Tell a joke.\n\nAssistant:");
  });

  it("the /v1/completions API sends the prompt as text", async () => {
    fake.requests.length = 0;
    const texts = await sampleEndpoint("fake", { ...endpoint(), api: "completions" }, "Once upon", { ...params, n: 2 });
    expect(texts).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({ path: "/v1/completions", body: { prompt: "Once upon", n: 2 } });
  });
});

describe("rlhf sample with an endpoint and one of ours in the same K", () => {
  it("splits K among the policies, stores each completion's model and opens tasks in that project only", async () => {
    process.env.FAKE_KEY = "secret-2";
    const r = await rlhf("sample", "--model", "tiny,fake", "--project", "Tiny", "--split", "test", "--k", "4", "--max-new-tokens", "5", "--tasks", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ prompts: 3, completions: 12, stored: 12, tasks_opened: 3 });
    await env.withDb(async (db) => {
      const rows = (await db.select().from(completions)).filter((c) => c.samplingParams?.run_id === r.json!.run_id);
      expect(rows.filter((c) => c.modelName === "tiny")).toHaveLength(6);
      expect(rows.filter((c) => c.modelName === "fake")).toHaveLength(6);
      expect(rows.every((c) => c.modelId)).toBe(true);
      const run = (await db.select().from(runs).where(eq(runs.id, r.json!.run_id)))[0]!;
      expect(run).toMatchObject({ kind: "sample", status: "succeeded" });
      const open = (await db.select().from(tasks)).filter((t) => t.kind === "rank");
      expect(new Set(open.map((t) => t.projectId))).toEqual(new Set([run.projectId]));
      expect(open.every((t) => t.completionIds.length === 4)).toBe(true);
      // The key went over the wire, and nowhere into the database.
      if (onPostgres) expect(execFileSync("pg_dump", ["--data-only", env.dbFile], { encoding: "utf8" })).not.toContain("secret-2");
      else expect(fs.readFileSync(env.dbFile).includes("secret-2")).toBe(false);
    });
    delete process.env.FAKE_KEY;
  });

  it("an endpoint that dies mid-run fails the run in one line; finished batches stay, the failed one is not half-stored, and a resumed run does not duplicate", async () => {
    process.env.FAKE_KEY = "k";
    fake.requests.length = 0;
    fake.failFrom = 1; // the first prompt's request succeeds, every later one gets 500
    const r = await rlhf("sample", "--model", "fake", "--project", "Tiny", "--split", "train", "--k", "2", "--batch-size", "8", "--tasks", "--json");
    expect(r.code).toBe(1);
    expect(errorLine(r)).toMatch(/^rlhf: sample run \S+ failed: endpoint 'fake' \(.*\) answered HTTP 500: the model crashed$/);
    const runId = /sample run (\S+) failed/.exec(errorLine(r))![1]!;
    // The failure cancelled the batch's other requests: nothing keeps retrying behind the failed run.
    const sent = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(fake.requests.length).toBe(sent);
    const count = async () => await env.withDb(async (db) => (await db.select().from(completions)).filter((c) => c.samplingParams?.run_id === runId).length);
    // Batch size 8: the first batch of 8 prompts failed as a whole, so nothing of it is stored.
    expect(await count()).toBe(0);
    fake.failFrom = Infinity;
    await env.withDb(async (db) => await db.update(runs).set({ status: "queued", error: null }).where(eq(runs.id, runId)));
    fake.requests.length = 0;
    fake.failFrom = 8; // now the first batch (8 requests) succeeds and the second fails
    const db = openDb(env.dbFile);
    const again = await executeRun(db, (await claimNextRun(db, "w1"))!, { workerId: "w1" });
    expect(again.error).toMatch(/answered HTTP 500/);
    expect(await count()).toBe(16);
    fake.failFrom = Infinity;
    await db.update(runs).set({ status: "queued", error: null }).where(eq(runs.id, runId));
    const resumed = await executeRun(db, (await claimNextRun(db, "w2"))!, { workerId: "w2" });
    await closeDatabase(db);
    expect(resumed.error).toBeNull();
    expect(resumed.metrics).toMatchObject({ prompts: 9, skipped_prompts: 8, completions: 2 });
    expect(await count()).toBe(18);
    delete process.env.FAKE_KEY;
  });

  it("--prompts FILE --tasks adds the file's prompts to the project and opens their tasks there", async () => {
    process.env.FAKE_KEY = "k";
    const file = path.join(env.dir, "new-prompts.jsonl");
    fs.writeFileSync(file, '{"prompt":"Brand new one."}\n{"prompt":"Brand new two."}\n');
    const r = await rlhf("sample", "--model", "fake", "--project", "Tiny", "--prompts", file, "--k", "2", "--tasks", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ prompts: 2, stored: 4, tasks_opened: 2 });
    await env.withDb(async (db) => {
      const added = (await db.select().from(prompts)).filter((p) => p.text.startsWith("Brand new"));
      expect(added.map((p) => p.source)).toEqual(["sample", "sample"]);
      const run = (await db.select().from(runs).where(eq(runs.id, r.json!.run_id)))[0]!;
      expect(added.every((p) => p.projectId === run.projectId)).toBe(true);
    });
    const bad = path.join(env.dir, "bad.jsonl");
    fs.writeFileSync(bad, '{"prompt":"ok"}\n{"text":"no prompt"}\n');
    const e = await rlhf("sample", "--model", "fake", "--project", "Tiny", "--prompts", bad, "--k", "2", "--tasks", "--json");
    expect(errorLine(e)).toMatch(/^rlhf: .*bad\.jsonl:2: no "prompt" string/);
    delete process.env.FAKE_KEY;
  });
});
