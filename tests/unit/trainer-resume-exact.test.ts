// Resume for every trainer (SFT, RM, DPO, PPO, GRPO, RLOO): a run that dies after a save (everything in memory lost, as
// with kill -9) and is started again on fresh models from the same seeds ends with the same weights, and logs the same
// metrics after the save, as the run that was never interrupted. Plus the save itself: a half-written one is never
// taken for a save, and a refused one changes nothing.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../trainer/backend";
import { ResumeStore } from "../../trainer/checkpoint/resume";
import { Adam } from "../../trainer/model/adam";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { memoryContext, type RlContext } from "../../trainer/rl/context";
import { trainDPO, type PairExample } from "../../trainer/rl/dpo";
import { trainGroupPolicy } from "../../trainer/rl/group";
import { trainPPO } from "../../trainer/rl/ppo";
import { trainRewardModel, type RankingExample } from "../../trainer/rl/reward";
import { buildExample, getTokenizer } from "../../trainer/tokenizer";
import { trainSFT } from "../../trainer/sft/trainer";
import { parseRunConfig } from "../../server/services/run-kinds/index";
import { mulberry32 } from "../../server/services/random";
import { EOS, PAD, shape, prompts, toyReward, sampleResponses as sample } from "../support/toy-online";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-rl-resume-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const freshStore = () => new ResumeStore(path.join(work, `run-${dirs++}`));

class Killed extends Error {}

/** Models of one run: what the trainer takes, the tensors compared at the end, and how to free them. */
interface Models<M> {
  make(): M;
  compared(m: M): Map<string, tf.Tensor>;
  dispose(m: M): void;
}

/**
 * Trains once straight through (no store: saving must not change the run), then once dying when `killAt` is reported
 * and once more on fresh models from the store; the resumed weights and the metrics of every step after the save must
 * equal the straight run's.
 */
async function expectResumeEqualsStraight<M>(models: Models<M>, train: (m: M, ctx: RlContext, store?: ResumeStore) => Promise<unknown>, opts: { killAt: number; savedAt: number; unit: string }) {
  await initBackend("wasm");
  const straight = models.make();
  const straightCtx = memoryContext();
  await train(straight, straightCtx);
  const expected = new Map([...models.compared(straight)].map(([n, t]) => [n, t.dataSync().slice()]));
  models.dispose(straight);

  const store = freshStore();
  const dying = models.make();
  const dyingCtx = memoryContext();
  const killCtx: RlContext = {
    ...dyingCtx,
    reportMetrics: (step, m) => {
      dyingCtx.reportMetrics(step, m);
      if (step === opts.killAt) throw new Killed(`killed at ${opts.unit} ${step}`);
    },
  };
  await expect(train(dying, killCtx, store)).rejects.toBeInstanceOf(Killed);
  models.dispose(dying);
  expect(store.latest()?.step).toBe(opts.savedAt);

  const resumed = models.make();
  const logs: string[] = [];
  const resumedCtx = memoryContext();
  await train(resumed, { ...resumedCtx, log: (l) => logs.push(l) }, store);
  expect(logs).toContain(`resuming at ${opts.unit} ${opts.savedAt} of ${straightCtx.metrics.reduce((n, m) => Math.max(n, m.step), 0)}`);
  for (const [name, t] of models.compared(resumed)) {
    const want = expected.get(name)!;
    const got = t.dataSync();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst, name).toBeLessThan(1e-6);
  }
  // Step by step after the save, the same losses, rewards and KL as the straight run (timings aside).
  const untimed = (ms: typeof straightCtx.metrics) => ms.filter((m) => m.step > opts.savedAt).map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("time/"))));
  expect(untimed(resumedCtx.metrics)).toEqual(untimed(straightCtx.metrics));
  models.dispose(resumed);
}

describe("offline trainers resume after a kill", () => {
  const tok = getTokenizer("byte");
  const encode = (prompt: string, response: string) => buildExample(tok, prompt, response);
  const shape = { vocab_size: tok.vocabSize, n_positions: 48, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };

  it("SFT: adapters, Adam, adapter dropout seeds and the best eval so far with its weights", async () => {
    const words = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tea", "cake", "rain", "snow", "tree"];
    const examples = words.map((w) => encode(`Say ${w}.`, `Sure: ${w}, ${w}.`));
    // A rate so high that eval loss is lowest at step 6: the save at 8 carries those weights, and the resumed run
    // must end on them (its own evals at 10 and 12 are worse).
    const config = parseRunConfig("sft", { learning_rate: 0.5, lr_scheduler_type: "constant", warmup_ratio: 0, batch_size: 3, max_steps: 12, eval_steps: 2, save_steps: 4 });
    const models: Models<GPT> = {
      make: () => {
        const gpt = new GPT({ ...shape, n_positions: 64 }, { seed: 5 });
        gpt.attachLora({ r: 2, alpha: 4, dropout: 0.1, targetModules: ["c_attn", "c_fc"], seed: 0 });
        return gpt;
      },
      compared: (m) => m.trainableParams(),
      dispose: (m) => m.dispose(),
    };
    await expectResumeEqualsStraight(models, async (m, hooks, resume) => (await trainSFT({ model: m, config, train: examples.slice(0, 9), eval: examples.slice(9), padId: tok.padId, hooks, resume })).adam.dispose(), { killAt: 10, savedAt: 8, unit: "step" });
  });

  function toyRankings(n: number, seed: number): RankingExample[] {
    const random = mulberry32(seed);
    return Array.from({ length: n }, (_, i) => {
      const completions = Array.from({ length: 4 }, (_, j) => ({ id: `c${i}-${j}`, text: Array.from({ length: 4 }, () => (random() < 0.5 ? "a" : "b")).join("") }));
      const countA = (t: string) => t.split("a").length - 1;
      const levels = [...new Set(completions.map((c) => countA(c.text)))].sort((x, y) => y - x);
      return { promptId: `p${i}`, prompt: `q${i % 5}`, split: i % 5 === 0 ? "test" : "train", completions, ranking: levels.map((l) => completions.filter((c) => countA(c.text) === l).map((c) => c.id)) } as RankingExample;
    });
  }

  it("RM: backbone, head, Adam, epoch cursor, shuffle RNG and the best epoch so far (LoRA adapters with dropout)", async () => {
    const rankings = toyRankings(30, 5);
    const samples = Array.from({ length: 8 }, (_, i) => ({ prompt: `q${i % 5}`, response: ["abab", "aaab", "bbbb", "aabb"][i % 4]! }));
    // 24 train rankings in batches of 4: 6 steps an epoch, 18 in all. Saved at 8 (epoch 2, after epoch 1's best was
    // kept), killed at 11: the resumed run redoes 9-11 on epoch 2's order and keeps epoch 1's best weights in hand.
    const config = parseRunConfig("reward", { num_train_epochs: 3, batch_size: 4, learning_rate: 3e-2, normalize_samples: 8, save_steps: 4, use_peft: true, lora_r: 2, lora_dropout: 0.1 });
    const models: Models<{ gpt: GPT; head: ScalarHead }> = {
      make: () => {
        const gpt = new GPT(shape, { seed: 3 });
        gpt.attachLora({ r: 2, alpha: 4, dropout: 0.1, targetModules: ["c_attn", "c_proj", "c_fc"], seed: 0 });
        return { gpt, head: new ScalarHead(shape.n_embd, { seed: 3 }) };
      },
      compared: (m) => new Map([...m.gpt.trainableParams(), ...m.head.params]),
      dispose: (m) => (m.gpt.dispose(), m.head.dispose()),
    };
    await expectResumeEqualsStraight(models, (m, ctx, resume) => trainRewardModel({ gpt: m.gpt, head: m.head, encode, padId: tok.padId, rankings, referenceSamples: async (n) => samples.slice(0, n), config, ctx, resume }), { killAt: 11, savedAt: 8, unit: "step" });
  });

  it("RM: rankings added while the run was down keep the weights and step, and reshuffle the epoch over the new data", async () => {
    await initBackend("wasm");
    const config = parseRunConfig("reward", { num_train_epochs: 2, batch_size: 4, learning_rate: 1e-2, normalize: false, save_steps: 4 });
    const train = (rankings: RankingExample[], ctx: RlContext, resume: ResumeStore) => {
      const gpt = new GPT(shape, { seed: 3 });
      const head = new ScalarHead(shape.n_embd, { seed: 3 });
      return trainRewardModel({ gpt, head, encode, padId: tok.padId, rankings, config, ctx, resume }).finally(() => (gpt.dispose(), head.dispose()));
    };
    const store = freshStore();
    const dying = memoryContext();
    await expect(train(toyRankings(30, 5), { ...dying, reportMetrics: (step) => { if (step === 5) throw new Killed(); } }, store)).rejects.toBeInstanceOf(Killed);
    const logs: string[] = [];
    const ctx = memoryContext();
    // 5 more rankings (4 of them train): 28 train rankings, 7 steps an epoch, 14 in all.
    const result = await train(toyRankings(35, 5), { ...ctx, log: (l) => logs.push(l) }, store);
    expect(logs).toContain("the training data changed since the resumable checkpoint; epoch 1 starts over on the new data");
    expect(logs).toContain("resuming at step 4 of 14");
    expect(result.steps).toBe(14);
    expect(ctx.metrics.filter((m) => "train/loss" in m).map((m) => m.step)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it("DPO: policy, Adam, pair cursor and shuffle RNG; the reference log-probs recomputed", async () => {
    const pairs: PairExample[] = Array.from({ length: 24 }, (_, i) => ({ promptId: `p${i}`, prompt: `q${i % 6}`, split: i % 6 === 0 ? "test" : "train", chosen: i % 2 ? "aaaa" : "aab", rejected: i % 3 ? "bbbb" : "bba" }));
    const config = parseRunConfig("dpo", { num_train_epochs: 3, max_steps: 0, learning_rate: 3e-3, batch_size: 4, save_steps: 3 });
    const models: Models<{ policy: GPT; reference: GPT }> = {
      make: () => ({ policy: new GPT(shape, { seed: 4 }), reference: new GPT(shape, { seed: 4 }) }),
      compared: (m) => m.policy.trainableParams(),
      dispose: (m) => (m.policy.dispose(), m.reference.dispose()),
    };
    // 20 train pairs, 5 steps an epoch: saved at 6, killed at 8.
    await expectResumeEqualsStraight(models, (m, ctx, resume) => trainDPO({ policy: m.policy, reference: m.reference, encode, padId: tok.padId, pairs, config, ctx, resume }), { killAt: 8, savedAt: 6, unit: "step" });
  });
});

describe("online trainers resume after a kill", () => {

  it("PPO: policy, critic, Adam, adaptive β, prompt cursor, RNG and learning-rate position", async () => {
    // 6 prompts, 4 per rollout: the prompt cycle reshuffles mid-run, and the save at iteration 3 falls inside a cycle.
    const config = parseRunConfig("ppo", { max_steps: 6, batch_size: 4, mini_batch_size: 2, num_ppo_epochs: 2, learning_rate: 3e-3, response_length: 5, seed: 3, save_steps: 3, adaptive_kl: true, target_kl: 0.01, kl_horizon: 8 });
    const models: Models<{ policy: GPT; reference: GPT; critic: { gpt: GPT; head: ScalarHead } }> = {
      make: () => ({ policy: new GPT(shape, { seed: 1 }), reference: new GPT(shape, { seed: 1 }), critic: { gpt: new GPT(shape, { seed: 7 }), head: new ScalarHead(shape.n_embd, { seed: 7 }) } }),
      compared: (m) => new Map([...m.policy.params, ...[...m.critic.gpt.params, ...m.critic.head.params].map(([n, v]) => [`critic.${n}`, v] as const)]),
      dispose: (m) => (m.policy.dispose(), m.reference.dispose(), m.critic.gpt.dispose(), m.critic.head.dispose()),
    };
    await expectResumeEqualsStraight(
      models,
      (m, ctx, resume) => trainPPO({ policy: m.policy, reference: m.reference, critic: m.critic, rewardFn: toyReward, prompts, eosId: EOS, padId: PAD, sample, config, ctx, resume }),
      { killAt: 5, savedAt: 3, unit: "iteration" },
    );
  });

  it.each(["grpo", "rloo"] as const)("%s: policy, Adam, prompt cursor, RNG and optimizer-step position", async (kind) => {
    // 2 prompts a rollout from 6: the cycle reshuffles at iterations 4 and 7, so the save at 4 holds a second shuffle's
    // cursor and the resumed run draws the third from the restored RNG.
    const raw = { max_steps: 7, batch_size: 8, num_generations: 4, steps_per_generation: 2, learning_rate: 1e-2, max_completion_length: 5, seed: 3, save_steps: 4 };
    const algorithm = kind === "grpo" ? { kind, config: parseRunConfig("grpo", raw) } : { kind, config: parseRunConfig("rloo", raw) };
    const models: Models<{ policy: GPT; reference: GPT }> = {
      make: () => ({ policy: new GPT(shape, { seed: 2 }), reference: new GPT(shape, { seed: 2 }) }),
      compared: (m) => m.policy.params,
      dispose: (m) => (m.policy.dispose(), m.reference.dispose()),
    };
    await expectResumeEqualsStraight(models, (m, ctx, resume) => trainGroupPolicy({ policy: m.policy, reference: m.reference, rewardFn: toyReward, prompts, eosId: EOS, padId: PAD, sample, algorithm, ctx, resume }), {
      killAt: 6,
      savedAt: 4,
      unit: "iteration",
    });
  });
});

describe("the save itself", () => {

  it("a save a kill cut short is never taken for one: the previous save loads, and the next save clears the debris", async () => {
    await initBackend("wasm");
    const store = freshStore();
    const gpt = new GPT(shape, { seed: 1 });
    const adam = new Adam(gpt.params, { lr: 1e-2 });
    await store.save(2, { params: gpt.params, optimizers: { adam }, state: { at: 2 } });
    const savedWeights = gpt.params.get("wte.weight")!.dataSync().slice();
    // What a kill leaves at any moment of the next save: its hidden folder, part-filled (here: one truncated file).
    await store.save(4, { params: gpt.params, optimizers: { adam }, state: { at: 4 } });
    const partial = path.join(store.dir, ".checkpoint-6.tmp-4242");
    fs.cpSync(path.join(store.dir, "checkpoint-4"), partial, { recursive: true });
    fs.truncateSync(path.join(partial, "model.safetensors"), 100);
    fs.rmSync(path.join(partial, "trainer_state.json"));
    expect(store.latest()?.step).toBe(4);
    expect(fs.existsSync(path.join(store.dir, "checkpoint-2"))).toBe(false); // older saves go once a newer one is complete
    // A later save whose writing fails (here: a disposed tensor) leaves the last complete one in place.
    const broken = tf.tensor1d([1, 2]);
    broken.dispose();
    await expect(store.save(8, { params: gpt.params, optimizers: { adam }, tensors: new Map([["x", broken]]), state: { at: 8 } })).rejects.toThrow();
    expect(store.latest()?.step).toBe(4);
    expect(fs.existsSync(partial)).toBe(true);

    const fresh = new GPT(shape, { seed: 9 });
    const freshAdam = new Adam(fresh.params, { lr: 1e-2 });
    const resumed = store.restore<{ at: number }>({ params: fresh.params, optimizers: { adam: freshAdam } });
    expect(resumed?.state).toEqual({ at: 4 });
    expect(Array.from(fresh.params.get("wte.weight")!.dataSync())).toEqual(Array.from(savedWeights));
    await store.save(6, { params: fresh.params, optimizers: { adam: freshAdam }, state: { at: 6 } });
    expect(fs.readdirSync(store.dir)).toEqual(["checkpoint-6"]);
    for (const m of [gpt, fresh]) m.dispose();
    adam.dispose();
    freshAdam.dispose();
  });

  it("kill -9 in the middle of saves: the newest complete save always loads whole", async () => {
    await initBackend("wasm");
    // 2.1M parameters: a save of 25 MB takes long enough that the kill lands inside one.
    const SAVE_LOOP_SHAPE = { vocab_size: 1024, n_positions: 64, n_embd: 256, n_layer: 2, n_head: 4, layer_norm_epsilon: 1e-5 };
    const store = freshStore();
    for (let round = 0; round < 3; round++) {
      const loop = [path.resolve(__dirname, "../../trainer/bin/run-ts.mjs"), path.resolve(__dirname, "../support/resume-save-loop.ts"), store.dir, JSON.stringify(SAVE_LOOP_SHAPE)];
      const child = spawn(process.execPath, loop, { stdio: "ignore" });
      const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
      // Killed the moment a save is seen under way (its hidden folder exists), past the first complete one.
      const deadline = Date.now() + 60_000;
      const saving = () => fs.existsSync(store.dir) && fs.readdirSync(store.dir).some((e) => e.startsWith(".checkpoint-"));
      while (!((store.latest()?.step ?? 0) > round * 2 && saving())) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error("the save loop ended or stalled");
        await new Promise((r) => setTimeout(r, 2));
      }
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const step = store.latest()!.step;
      const gpt = new GPT(SAVE_LOOP_SHAPE, { seed: 2 });
      const adam = new Adam(gpt.params, { lr: 1e-3 });
      expect(store.restore<{ step: number }>({ params: gpt.params, optimizers: { adam } })?.state).toEqual({ step });
      expect(adam.stepCount).toBe(step);
      for (const v of gpt.params.values()) expect(new Set(v.dataSync())).toEqual(new Set([step]));
      for (const v of adam.moments().values()) expect(new Set(v.dataSync())).toEqual(new Set([-step]));
      gpt.dispose();
      adam.dispose();
    }
  });

  it("a save for other settings is refused in one line before anything is assigned", async () => {
    await initBackend("wasm");
    const store = freshStore();
    const gpt = new GPT(shape, { seed: 1 });
    const adam = new Adam(gpt.params, { lr: 1e-2 });
    await store.save(1, { params: gpt.params, optimizers: { adam }, state: {} });
    const other = new GPT(shape, { seed: 2 });
    other.attachLora({ r: 2, alpha: 4, dropout: 0, targetModules: ["c_attn"], seed: 0 });
    const before = other.params.get("wte.weight")!.dataSync().slice();
    const otherAdam = new Adam(other.trainableParams(), { lr: 1e-2 });
    expect(() => store.restore({ params: other.trainableParams(), optimizers: { adam: otherAdam } })).toThrow(/^resumable checkpoint .* has no h\.0\.attn\.c_attn\.lora_A: it was saved for another model or other settings$/);
    expect(Array.from(other.params.get("wte.weight")!.dataSync())).toEqual(Array.from(before));
    for (const m of [gpt, other]) m.dispose();
    adam.dispose();
    otherAdam.dispose();
  });
});
