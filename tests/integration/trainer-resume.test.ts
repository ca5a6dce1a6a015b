// A worker that stops mid-run (SIGINT) puts a run with a resumable checkpoint back in the queue; the next worker
// continues from that step with the saved optimizer state instead of starting over. (kill -9: trainer-kill-resume.)
import path from "node:path";
import fs from "node:fs";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Db } from "../../db/index";
import { runLogs, runMetrics, runs } from "../../db/schema";
import { getRun } from "../../server/services/runs";
import { createRunFromRequest } from "../../server/services/run-creation";
import { readSafetensors } from "../../trainer/checkpoint/safetensors";
import { runScratchDir } from "../../trainer/runs/context";
import { runWorker } from "../../trainer/worker";
import { tinyModelDatabase, seedDemonstrations } from "./trainer-fixtures";

let db: Db;
const fixture = tinyModelDatabase("rlhf-resume-", seedDemonstrations);
beforeAll(() => void (db = fixture.db));

/** A worker's stop predicate: true from the first time a run reports `step` on (so it does not take the run up again). */
function stopAt(step: number) {
  let stopped = false;
  return (at?: { step: number }) => (stopped ||= (at?.step ?? 0) >= step);
}

const trainSteps = async (runId: string) =>
  (await db.select().from(runMetrics).where(and(eq(runMetrics.runId, runId), eq(runMetrics.name, "train/loss")))).map((m) => m.step);

describe("resuming a run", () => {
  it("requeues on worker stop and resumes from the last saved step", async () => {
    const config = { learning_rate: 1e-2, batch_size: 4, max_steps: 12, eval_steps: 6, save_steps: 5 };
    const run = await createRunFromRequest(db, { kind: "sft", base: "tiny", config, name: "resumed" });

    // First worker: asked to stop once step 7 is logged (after the step-5 checkpoint).
    const first = await runWorker(db, { once: true, workerId: "w1", shouldStop: stopAt(7) });
    expect(first.results[0]!.error).toMatch(/queued again and resumes/);
    expect((await getRun(db, run.id)).status).toBe("queued");
    expect(fs.readdirSync(runScratchDir(run.id))).toEqual(["checkpoint-5"]);
    expect(fs.existsSync(path.join(runScratchDir(run.id), "checkpoint-5", "optimizer.safetensors"))).toBe(true);

    // Second worker: picks it up and continues at step 5.
    const second = await runWorker(db, { once: true, workerId: "w2" });
    expect(second.results[0]!.error).toBeNull();
    expect(await getRun(db, run.id)).toMatchObject({ status: "succeeded", workerId: "w2" });
    const logs = (await db.select().from(runLogs).where(eq(runLogs.runId, run.id))).map((l) => l.message);
    expect(logs.some((m) => m === "resuming at step 5 of 12")).toBe(true);
    // Steps 1-7 from the first worker, 6-12 from the second: nothing before step 6 was trained twice.
    expect((await trainSteps(run.id)).filter((s) => s > 7)).toEqual([8, 9, 10, 11, 12]);
    expect((await trainSteps(run.id)).filter((s) => s === 6)).toHaveLength(2);
    expect(fs.existsSync(runScratchDir(run.id))).toBe(false);
    expect(second.results[0]!.model!.name).toBe("resumed");
    expect(await db.select().from(runs)).toHaveLength(1);
  });

  it("resumes a LoRA run from its saved adapter and optimizer state, and still registers an adapter", async () => {
    const config = { learning_rate: 1e-2, batch_size: 4, max_steps: 8, eval_steps: 4, save_steps: 3, use_peft: true, lora_r: 4 };
    const run = await createRunFromRequest(db, { kind: "sft", base: "tiny", config, name: "resumed-lora" });
    const first = await runWorker(db, { once: true, workerId: "w1", shouldStop: stopAt(4) });
    expect(first.results[0]!.error).toMatch(/queued again and resumes/);
    const scratch = path.join(runScratchDir(run.id), "checkpoint-3");
    // The resumable checkpoint holds the adapters and Adam's moments of the adapters, never the base's weights.
    const saved = [...readSafetensors(path.join(scratch, "model.safetensors")).tensors.keys()];
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((name) => /\.lora_[AB]$/.test(name))).toBe(true);
    expect([...readSafetensors(path.join(scratch, "optimizer.safetensors")).tensors.keys()].every((name) => /\.lora_[AB]\.exp_avg(_sq)?$/.test(name))).toBe(true);
    const second = await runWorker(db, { once: true, workerId: "w2" });
    expect(second.results[0]!.error).toBeNull();
    const logs = (await db.select().from(runLogs).where(eq(runLogs.runId, run.id))).map((l) => l.message);
    expect(logs.some((m) => m === "resuming at step 3 of 8")).toBe(true);
    expect((await trainSteps(run.id)).filter((s) => s > 4)).toEqual([5, 6, 7, 8]);
    const model = second.results[0]!.model!;
    expect(model.config).toMatchObject({ adapter: true });
    expect(model.parentId).not.toBeNull();
  });
});
