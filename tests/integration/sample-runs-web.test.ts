// Closing the loop from the browser's API: a sample run created through tRPC mixes one of our models with an
// endpoint in one K and opens tasks in its project only (run by the worker, samples shown on its run page); a
// training run's "then send samples for labeling" queues the next round; every training kind reads one project's
// data; the playground answers through the worker (our models) and in the background (endpoints).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { eq } from "drizzle-orm";
import { completions, runs, tasks } from "../../db/schema";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import type { PromptSet } from "../../server/services/run-kinds/sample-config";
import { promptsForSampling } from "../../server/services/sampling";
import { serveGenerations } from "../../trainer/playground/answer";
import { runWorker } from "../../trainer/worker";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { callerFor, makeUser, type Caller } from "./helpers";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let db: Db;
let admin: Caller;
let fake: FakeOpenAI;
let tinyProject: string;
let otherProject: string;

beforeAll(async () => {
  env = cliEnv("rlhf-sample-web-");
  fake = await startFakeOpenAI();
  const dir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  db = openDb(env.dbFile);
  tinyProject = await seedDemonstrations(db);
  await registerTiny(db, "tiny", dir);
  otherProject = (await createProject(db, { name: "Other" }, null)).id;
  await importPromptRows(db, otherProject, [{ prompt: "Elsewhere one." }, { prompt: "Elsewhere two." }] as never, null);
  admin = await callerFor(db, await makeUser(db, "admin"));
});
afterAll(async () => {
  await closeDatabase(db);
  await fake.close();
  await env.restore();
});

const rankTasks = async () => (await db.select().from(tasks)).filter((t) => t.kind === "rank");

describe("sample runs from the browser", () => {
  it("an admin registers an endpoint; a sample run mixing it with one of ours opens tasks in its project only", async () => {
    const ep = await admin.models.addEndpoint({ name: "fake", baseUrl: fake.url, model: "fake-llm" });
    expect(ep.endpoint).toEqual({ baseUrl: `${fake.url}/v1`, model: "fake-llm", api: "chat" });
    const run = await admin.runs.create({ kind: "sample", config: { project: "Tiny", policies: "tiny,fake", prompt_set: "test", k: 4, max_new_tokens: 5 } });
    expect(run).toMatchObject({ kind: "sample", status: "queued", projectId: tinyProject, name: null });
    const summary = await runWorker(db, { once: true });
    expect(summary.results[0]).toMatchObject({ error: null, metrics: { prompts: 3, completions: 12, tasks_opened: 3 } });
    expect(new Set((await rankTasks()).map((t) => t.projectId))).toEqual(new Set([tinyProject]));
    const samples = await admin.runs.samples({ id: run.id });
    expect(samples.totalCompletions).toBe(12);
    for (const p of samples.prompts) expect(p.completions.map((c) => c.model).sort()).toEqual(["fake", "fake", "tiny", "tiny"]);
  });

  it("refuses bad sample runs in one line, creating nothing", async () => {
    await expect(admin.runs.create({ kind: "sample", config: { policies: "tiny", k: 2 } })).rejects.toThrow("a sample run needs a project");
    await expect(admin.runs.create({ kind: "sample", config: { project: "Tiny", policies: "", k: 2 } })).rejects.toThrow("a sample run needs at least one policy");
    await expect(admin.runs.create({ kind: "sample", config: { project: "Tiny", policies: "tiny,fake", k: 1 } })).rejects.toThrow("k = 1 cannot give each of the 2 policies a completion");
    await expect(admin.runs.create({ kind: "sample", config: { project: "Tiny", policies: "/etc", k: 2 } })).rejects.toThrow("no registered model");
    await expect(admin.runs.create({ kind: "sample", baseModel: "tiny", config: { project: "Tiny", policies: "tiny" } })).rejects.toThrow("a sample run takes no base model");
    // The test split now has its tasks: 'unranked' means prompts with no ranking task yet.
    await expect(admin.runs.create({ kind: "sft", config: {} })).rejects.toThrow("a sft run needs a base model");
  });

  it("a training run with 'then send samples for labeling' queues a sample run of its output when it succeeds", async () => {
    const before = (await rankTasks()).length;
    const run = await admin.runs.create({
      kind: "sft",
      baseModel: "tiny",
      name: "tiny-next",
      config: { project: "Tiny", max_steps: 1, batch_size: 2, eval_steps: 1 },
      followUp: { project: "Tiny", k: 2, prompt_set: "unranked", max_prompts: 2 },
    });
    expect(run.projectId).toBe(tinyProject);
    const summary = await runWorker(db, { once: true });
    expect(summary.results.map((r) => [r.run.kind, r.run.status])).toEqual([["sft", "succeeded"], ["sample", "succeeded"]]);
    const sample = summary.results[1]!.run;
    expect(sample.config).toMatchObject({ project: "Tiny", policies: "tiny-next", k: 2, prompt_set: "unranked" });
    expect((await rankTasks()).length).toBe(before + 2);
    expect(new Set((await rankTasks()).map((t) => t.projectId))).toEqual(new Set([tinyProject]));
    await expect(admin.runs.create({ kind: "reward", baseModel: "tiny", config: {}, followUp: { project: "Tiny" } })).rejects.toThrow(/no usable rankings|makes no policy/);
  });

  it("`rlhf train … --then-sample K` stores the follow-up with the run; it needs --project", async () => {
    const r = await rlhf("train", "sft", "--base", "tiny", "--project", "Tiny", "--then-sample", "3", "--sample-prompts", "train", "--queue", "--json");
    expect(r.code, r.err).toBe(0);
    const row = (await db.select().from(runs).where(eq(runs.id, r.json!.run_id)))[0]!;
    expect(row.config).toMatchObject({ project: "Tiny", _follow_up: { project: "Tiny", k: 3, prompt_set: "train", max_prompts: 0 } });
    expect(row.projectId).toBe(tinyProject);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, row.id));
    const bad = await rlhf("train", "sft", "--base", "tiny", "--then-sample", "3", "--queue", "--json");
    expect(errorLine(bad)).toMatch(/^rlhf: --then-sample K needs --project P/);
    const rm = await rlhf("train", "rm", "--base", "tiny", "--then-sample", "3", "--json");
    expect(rm.code).toBe(2); // reward runs make no policy: the flag is not theirs
  });

  it("training kinds read one project's data: no pairs in 'Other' is an error naming it", async () => {
    await expect(admin.runs.create({ kind: "dpo", baseModel: "tiny", config: { project: "Other" } })).rejects.toThrow("no preference pairs in project 'Other'");
    await expect(admin.runs.create({ kind: "sft", baseModel: "tiny", config: { project: "Other" } })).rejects.toThrow("no demonstrations to train on in project 'Other'");
  });
});

describe("a sample run stopped by its worker", () => {
  it("goes back to the queue and the next worker finishes it without duplicating a completion", async () => {
    const project = await createProject(db, { name: "Resume" }, null);
    await importPromptRows(db, project.id, Array.from({ length: 6 }, (_, i) => ({ prompt: `Resume ${i}.` })) as never, null);
    const run = await admin.runs.create({ kind: "sample", config: { project: "Resume", policies: "fake", k: 2, batch_size: 2, concurrency: 1 } });
    fake.requests.length = 0;
    fake.delayMs = 50;
    // Stop once the third request is out: the first batch (2 prompts) is stored, the second is not.
    const first = await runWorker(db, { once: true, shouldStop: () => fake.requests.length >= 3 });
    fake.delayMs = 0;
    expect(first.results[0]!.run.status).toBe("queued");
    const stored = async () => (await db.select().from(completions)).filter((c) => c.samplingParams?.run_id === run.id);
    expect(await stored()).toHaveLength(4);
    const second = await runWorker(db, { once: true });
    expect(second.results[0]).toMatchObject({ error: null, metrics: { prompts: 6, skipped_prompts: 2, completions: 8 } });
    expect(await stored()).toHaveLength(12);
    expect(new Set((await stored()).map((c) => c.promptId)).size).toBe(6);
  });
});

describe("prompt sets", () => {
  it("unranked = no ranking task yet; tag = carries the tag; train/test = the split; all = every prompt", async () => {
    await importPromptRows(db, otherProject, [{ prompt: "Tagged one.", tags: ["poetry"] }, { prompt: "Tagged two.", tags: ["poetry", "x"], split: "test" }] as never, null);
    const texts = async (set: PromptSet, tag = "") => (await promptsForSampling(db, otherProject, set, tag)).map((p) => p.text);
    expect(await texts("tag", "poetry")).toEqual(["Tagged one.", "Tagged two."]);
    expect(await texts("tag", "x")).toEqual(["Tagged two."]);
    expect(await texts("test")).toEqual(["Tagged two."]);
    expect(await texts("all")).toHaveLength(4);
    await expect(async () => await texts("tag")).rejects.toThrow("prompt_set 'tag' needs a tag");
    // In project Tiny, the test split's prompts got ranking tasks above, so 'unranked' leaves them out.
    const tinyUnranked = (await promptsForSampling(db, tinyProject, "unranked")).map((p) => p.text);
    expect(tinyUnranked).not.toContain("Say tree.");
    expect(await promptsForSampling(db, tinyProject, "unranked", "", 2)).toHaveLength(2);
  });
});

describe("the playground", () => {
  it("an endpoint answers in the background; one of ours is answered by the worker", async () => {
    const e = await admin.playground.generate({ model: "fake", prompt: "Say  two\nlines.", params: { n: 2, temperature: 0.5, top_p: 1, max_new_tokens: 8, seed: 1 } });
    expect(["running", "succeeded"]).toContain(e.status);
    for (let i = 0; i < 50 && (await admin.playground.get({ id: e.id })).status === "running"; i++) await new Promise((r) => setTimeout(r, 20));
    const done = await admin.playground.get({ id: e.id });
    expect(done.status).toBe("succeeded");
    expect(done.outputs).toHaveLength(2);

    const a = await admin.playground.generate({ model: "tiny", prompt: "Say hi.", params: { n: 1, temperature: 1, top_p: 1, max_new_tokens: 4, seed: 0 } });
    const b = await admin.playground.generate({ model: "tiny-next", prompt: "Say hi.", params: { n: 1, temperature: 1, top_p: 1, max_new_tokens: 4, seed: 0 } });
    expect(a.status).toBe("queued");
    expect(await serveGenerations(db, { workerId: "w", shouldStop: () => false, once: true })).toBe(2);
    for (const id of [a.id, b.id]) expect(await admin.playground.get({ id })).toMatchObject({ status: "succeeded", outputs: [expect.any(String)] });
  });

  it("a down endpoint is a failed generation naming it; bad input is refused", async () => {
    await admin.models.addEndpoint({ name: "gone", baseUrl: "http://127.0.0.1:1", model: "m" });
    const g = await admin.playground.generate({ model: "gone", prompt: "x" });
    for (let i = 0; i < 100 && (await admin.playground.get({ id: g.id })).status === "running"; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await admin.playground.get({ id: g.id })).error).toMatch(/^endpoint 'gone' \(http:\/\/127\.0\.0\.1:1\/v1, model m\) is unreachable/);
    await expect(admin.playground.generate({ model: "tiny", prompt: "   " })).rejects.toThrow("write a prompt first");
    await expect(admin.playground.generate({ model: "ghost", prompt: "x" })).rejects.toThrow("no model named 'ghost'");
  });
});
