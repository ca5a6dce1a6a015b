// 20 annotators on 20 separate database connections (worker threads, like separate web processes) ask for a
// task at the same instant: the immediate transaction in nextTask must never hand a task out more than N times.
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { completions } from "../../db/schema";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";
import { makeUser } from "./helpers";

const ENTRY = fileURLToPath(new URL("./fixtures/next-task-worker.ts", import.meta.url));
let t: TempDb;
let workerFile: string;
beforeAll(async () => {
  t = createTempDb();
  // One esbuild bundle (esbuild comes with tsx and vite) instead of a TypeScript loader in each of 20 threads:
  // that keeps the test at a second or two on two cores.
  const { build } = await import("esbuild");
  workerFile = path.join(t.dir, "next-task-worker.mjs");
  await build({ entryPoints: [ENTRY], bundle: true, platform: "node", format: "esm", outfile: workerFile, external: ["better-sqlite3", "pg"], logLevel: "silent" });
  // Let the bundle resolve better-sqlite3 from this repository.
  fs.symlinkSync(path.resolve("node_modules"), path.join(t.dir, "node_modules"), "dir");
});
afterAll(() => t.close());

it("20 annotators on separate connections never over-assign (4 tasks, overlap 3)", async () => {
  const project = await createProject(t.db, { name: "concurrency", overlap: 3 }, null);
  const rows = [0, 1, 2, 3].map((i) => ({ line: i + 1, prompt: `p${i}`, externalId: null, tags: [], split: null }));
  for (const promptId of (await importPromptRows(t.db, project.id, rows, null)).promptIds) {
    const ids = await Promise.all([0, 1].map(async (j) => (await t.db.insert(completions).values({ promptId, text: `c${j}`, origin: "model" }).returning())[0].id));
    await openRankTask(t.db, { projectId: project.id, promptId, completionIds: ids });
  }
  const users = await Promise.all(Array.from({ length: 20 }, async () => await makeUser(t.db, "annotator")));

  const start = new SharedArrayBuffer(8);
  const flag = new Int32Array(start);
  let failure: unknown;
  const results = users.map(
    (u) =>
      new Promise<string | null>((resolve, reject) => {
        const w = new Worker(workerFile, { workerData: { file: t.file, userId: u.id, projectId: project.id, start } });
        w.once("message", (m: { taskId: string | null }) => resolve(m.taskId));
        w.once("error", (err) => {
          failure = err;
          reject(err);
        });
      }),
  );
  // Release every worker at once, after all of them are waiting.
  while (Atomics.load(flag, 1) < users.length && !failure) await new Promise((r) => setTimeout(r, 20));
  if (failure) throw failure;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);

  const got = await Promise.all(results);
  const perTask = new Map<string, number>();
  for (const id of got) if (id) perTask.set(id, (perTask.get(id) ?? 0) + 1);
  expect([...perTask.values()].every((n) => n <= 3)).toBe(true);
  expect(got.filter(Boolean)).toHaveLength(12);
  expect(got.filter((g) => g === null)).toHaveLength(8);
});
