// Where to label next: the priority rules on hand-made scores, the queue following priorities, and `rlhf train score`
// scoring a project's open ranking tasks with a (tiny, random) reward model, as a normal run with its metrics.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMetrics, tasks } from "../../db/schema";
import { nextTask } from "../../server/services/assignment";
import { completionIdFor } from "../../server/services/data-import";
import { registerModel } from "../../server/services/models";
import { createProject, updateProject } from "../../server/services/projects";
import { insertPromptIfNew } from "../../server/services/prompts";
import { annotatorDisagreement, scoreDisagreement, uncertaintyPriority, writePriorities } from "../../server/services/selection";
import { openRankTask } from "../../server/services/task-queue";
import { initBackend } from "../../trainer/backend/index";
import { saveCheckpoint } from "../../trainer/checkpoint/index";
import { ScalarHead } from "../../trainer/model/heads";
import { GPT } from "../../trainer/model/gpt";
import { makeUser } from "./helpers";
import { cliEnv, errorLine, rlhf, TINY_CONFIG, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;

beforeAll(async () => {
  env = cliEnv("rlhf-score-");
  await initBackend("wasm");
  const model = new GPT(TINY_CONFIG, { seed: 3 });
  await saveCheckpoint(path.join(env.dir, "rm"), model, { tokenizer: "byte", head: { kind: "reward", module: new ScalarHead(TINY_CONFIG.n_embd, { seed: 4 }) } });
  model.dispose();
  await env.withDb(async (db) => {
    await registerModel(db, { name: "policy", kind: "policy", path: path.join(env.dir, "rm"), tokenizer: "byte" });
    await registerModel(db, { name: "rm", kind: "reward", path: path.join(env.dir, "rm"), tokenizer: "byte" });
    const projectId = (await createProject(db, { name: "Next", k: 3 }, null)).id;
    for (const prompt of ["Say red.", "Say blue.", "Say tea."]) {
      const p = await insertPromptIfNew(db, projectId, { prompt });
      await openRankTask(db, { projectId, promptId: p.id, completionIds: await Promise.all(["one", "two", "three"].map(async (t) => await completionIdFor(db, p.id, `${prompt} ${t}`, null))) });
    }
  });
}, 60_000);
afterAll(() => env.restore());

describe("where to label next", () => {
  it("priorities: the closest two scores, and the share of pairs ordered the other way", () => {
    // Gaps 0.5 and 2 → the closest is 0.5 → −1/(1 + 0.5).
    expect(uncertaintyPriority([0, 0.5, 2.5])).toBeCloseTo(-2 / 3, 12);
    // Pairs (0,1), (0,2), (1,2): a orders 0>1, 0>2, 1>2; b orders 1>0, 0>2, 1>2 → 1 of 3 differs.
    expect(scoreDisagreement([3, 2, 1], [2, 3, 1])).toBeCloseTo(1 / 3, 12);
    // Annotators a>b>c twice: 6 votes; scores put c above a and b (2 of the 3 pairs each time) → 4/6.
    expect(annotatorDisagreement(["a", "b", "c"], [1, 0, 2], [[["a"], ["b"], ["c"]], [["a"], ["b"], ["c"]]])).toBeCloseTo(4 / 6, 12);
  });

  it("a score run is refused for a project that selects at random, in one line", async () => {
    const file = path.join(env.dir, "score.json");
    fs.writeFileSync(file, JSON.stringify({ project: "Next" }));
    const refused = await rlhf("train", "score", "--base", "policy", "--reward", "rm", "--config", file);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)).toBe("rlhf: project 'Next' selects tasks at random: set its selection to uncertain or disagree first ('rlhf projects update')");
  });

  it("with selection 'uncertain' the run scores every open task, stores priorities and metrics, and the queue follows them", async () => {
    await env.withDb(async (db) => await updateProject(db, { id: (await db.select().from(tasks))[0]!.projectId, selection: "uncertain" }, null));
    const file = path.join(env.dir, "score.json");
    const r = await rlhf("train", "score", "--base", "policy", "--reward", "rm", "--config", file, "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ ok: true, kind: "score", status: "succeeded", model: null, "score/tasks": 3 });
    await env.withDb(async (db) => {
      const rows = await db.select().from(tasks);
      expect(rows.every((t) => t.priority < 0 && t.priority >= -1)).toBe(true);
      expect((await db.select().from(runMetrics).where(eq(runMetrics.name, "score/tasks")))[0]!.value).toBe(3);
      // The queue serves the lowest priority first, whatever the creation order.
      const last = rows[rows.length - 1]!;
      await writePriorities(db, new Map(rows.map((t) => [t.id, t.id === last.id ? -1 : -0.1])));
      const annotator = await makeUser(db, "annotator");
      expect((await nextTask(db, annotator.id, { kind: "rank" }))!.taskId).toBe(last.id);
      // Back to random: creation order again.
      await updateProject(db, { id: last.projectId, selection: "random" }, null);
      expect((await db.select().from(tasks)).every((t) => t.priority === 0)).toBe(true);
    });
  }, 120_000);
});
