// `kill -9` of a worker in the middle of an RM run and of a PPO run: the run stays `running` until its lease runs out,
// the next worker claims it, resumes from the last checkpoint-<step> in the run's scratch folder, and registers a model
// equal to the one an uninterrupted run of the same config registers.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Db } from "../../db/index";
import { dataHome } from "../../db/paths";
import { models, runLogs, runs } from "../../db/schema";
import { importRankings } from "../../server/services/data-import";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { createRunFromRequest } from "../../server/services/run-creation";
import { getRun } from "../../server/services/runs";
import { readSafetensors } from "../../trainer/checkpoint/safetensors";
import { runScratchDir } from "../../trainer/runs/context";
import { runWorker } from "../../trainer/worker";
import { tinyModelDatabase } from "./trainer-fixtures";

const RLHF_BIN = path.resolve(__dirname, "../../trainer/bin/rlhf.mjs");
let db: Db;
const fixture = tinyModelDatabase("rlhf-kill-resume-", async (db) => {
  const project = await createProject(db, { name: "Kill", k: 3, allowTies: true }, null);
  const prompts = Array.from({ length: 24 }, (_, i) => ({ prompt: `Say something ${i}`, split: i < 20 ? "train" : "test" }));
  await importPromptRows(db, project.id, prompts as never, null);
  const rankings = prompts.map((p, i) => ({ prompt: p.prompt, completions: ["Yes!", `Sure, ${i}.`, "no"], ranking: [[0], [1], [2]] }));
  await importRankings(db, { projectId: project.id, content: rankings.map((r) => JSON.stringify(r)).join("\n") });
});
beforeAll(() => void (db = fixture.db));

/** A saved model's tensors by name. */
async function modelTensors(name: string): Promise<Map<string, Float32Array>> {
  const row = (await db.select({ path: models.path }).from(models).where(eq(models.name, name)))[0]!;
  const out = new Map<string, Float32Array>();
  for (const [n, t] of readSafetensors(path.join(dataHome(), row.path, "model.safetensors")).tensors) out.set(n, t.data!);
  return out;
}

/** `rlhf worker --once` in a child process, killed with SIGKILL as soon as the run has a complete save. */
async function killWorkerAfterSave(runId: string): Promise<void> {
  const child = spawn(process.execPath, [RLHF_BIN, "worker", "--once"], { env: { ...process.env, RLHF_BACKEND: "wasm" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += String(c)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  const scratch = runScratchDir(runId);
  const deadline = Date.now() + 90_000;
  while (!(fs.existsSync(scratch) && fs.readdirSync(scratch).some((e) => /^checkpoint-\d+$/.test(e)))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the worker ended or stalled before its first save: ${stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}

/** Runs `config` straight through and killed-then-resumed; both registered models must hold the same tensors. */
async function expectKilledRunEqualsStraight(kind: "reward" | "ppo", config: Record<string, unknown>, unit: string, reward?: string) {
  const straight = await createRunFromRequest(db, { kind, base: "tiny", reward, config, name: `${kind}-straight` });
  expect((await runWorker(db, { once: true, workerId: "straight" })).results[0]!.error).toBeNull();
  expect((await getRun(db, straight.id)).status).toBe("succeeded");

  const killed = await createRunFromRequest(db, { kind, base: "tiny", reward, config, name: `${kind}-killed` });
  await killWorkerAfterSave(killed.id);
  // The dead worker still holds the run; it goes to the next worker once its lease has run out (here: at once).
  expect((await getRun(db, killed.id)).status).toBe("running");
  await db.update(runs).set({ leaseExpiresAt: new Date(Date.now() - 1000) }).where(eq(runs.id, killed.id));
  const second = await runWorker(db, { once: true, workerId: "second" });
  expect(second.results[0]!.error).toBeNull();
  expect(await getRun(db, killed.id)).toMatchObject({ status: "succeeded", workerId: "second" });
  const logs = (await db.select().from(runLogs).where(eq(runLogs.runId, killed.id))).map((l) => l.message);
  expect(logs.some((m) => new RegExp(`^resuming at ${unit} [1-9]\\d* of \\d+$`).test(m)), logs.join("\n")).toBe(true);
  expect(fs.existsSync(runScratchDir(killed.id))).toBe(false);

  const [a, b] = [await modelTensors(`${kind}-straight`), await modelTensors(`${kind}-killed`)];
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [name, want] of a) {
    const got = b.get(name)!;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst, name).toBeLessThan(1e-5);
  }
}

describe("a worker killed with kill -9", () => {
  it("RM: the resumed run registers the reward model the uninterrupted run does", async () => {
    await expectKilledRunEqualsStraight("reward", { batch_size: 2, num_train_epochs: 4, learning_rate: 1e-3, save_steps: 4, normalize_samples: 8 }, "step");
  });

  it("PPO: the resumed run registers the policy the uninterrupted run does", async () => {
    await expectKilledRunEqualsStraight("ppo", { max_steps: 12, batch_size: 4, mini_batch_size: 2, response_length: 8, save_steps: 2 }, "iteration", "reward-straight");
  });
});
