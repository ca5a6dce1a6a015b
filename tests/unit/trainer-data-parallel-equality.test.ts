// Data-parallel training equals one thread: for each trainer, the same seed trained a few steps with 2 compute
// threads (main + 1 worker, each micro-batch split by rows) ends with the same parameters as with 1, within float
// tolerance. Tiny models and the toy data of the trainers' own tests.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { dataParallelThreads } from "../../trainer/model/data-parallel";
import { parseRunConfig } from "../../server/services/run-kinds/index";
import { trainSFT } from "../../trainer/sft/trainer";
import { trainRewardModel, type RankingExample } from "../../trainer/rl/reward";
import { trainDPO, type PairExample } from "../../trainer/rl/dpo";
import { memoryContext } from "../../trainer/rl/context";
import { trainPPO } from "../../trainer/rl/ppo";
import { trainGroupPolicy, type GroupAlgorithm } from "../../trainer/rl/group";
import { buildExample, getTokenizer } from "../../trainer/tokenizer/index";
import { mulberry32 } from "../../server/services/random";
import { EOS, PAD, shape, prompts, toyReward, sampleResponses as sample } from "../support/toy-online";

const tok = getTokenizer("byte");
const encode = (prompt: string, response: string) => buildExample(tok, prompt, response);
const TINY = { vocab_size: tok.vocabSize, n_positions: 64, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
const LORA = { r: 2, alpha: 4, dropout: 0, targetModules: ["c_attn", "c_proj", "c_fc"], seed: 1 };

/** Largest absolute difference between two models' parameters of the same names. */
function maxParamDiff(a: Map<string, tf.Variable>, b: Map<string, tf.Variable>): number {
  let worst = 0;
  for (const [name, v] of a) worst = Math.max(worst, tf.tidy(() => tf.max(tf.abs(tf.sub(v, b.get(name)!))).dataSync()[0]!));
  return worst;
}

/** How far training moved the parameters, to show the comparison is not between two untouched models. */
function moved(model: Map<string, tf.Variable>, start: GPT): number {
  return maxParamDiff(new Map([...model].filter(([n]) => start.params.has(n))), start.params);
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("data-parallel threads", () => {
  it("default to one per core on wasm and 1 elsewhere; RLHF_WORKERS overrides; bad values are one-line errors", () => {
    expect(dataParallelThreads("wasm", { RLHF_WORKERS: "3" })).toBe(3);
    expect(dataParallelThreads("tensorflow", {})).toBe(1);
    expect(dataParallelThreads("wasm", {})).toBeGreaterThanOrEqual(1);
    expect(() => dataParallelThreads("wasm", { RLHF_WORKERS: "two" })).toThrow(/^RLHF_WORKERS must be a whole number/);
    expect(() => dataParallelThreads("wasm", { RLHF_WORKERS: "0" })).toThrow(/RLHF_WORKERS/);
  });
});

describe("SFT with 2 threads equals 1 thread", () => {
  const WORDS = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tea", "cake"];
  const train = WORDS.map((w, i) => encode(`Say ${w}.`, `Sure: ${w}${", again".repeat(i % 3)}.`));

  for (const variant of ["full fine-tune, 2 accumulated micro-batches", "LoRA with gradient checkpointing"] as const) {
    it(variant, async () => {
      const lora = variant.startsWith("LoRA");
      const config = parseRunConfig("sft", {
        learning_rate: 1e-2, batch_size: 4, max_steps: 3, eval_steps: 100, seed: 1,
        gradient_accumulation_steps: lora ? 1 : 2, gradient_checkpointing: lora ? "on" : "off",
      });
      const models = [] as GPT[];
      const logs: string[] = [];
      for (const threads of [1, 2]) {
        const model = new GPT(TINY, { seed: 5 });
        if (lora) model.attachLora(LORA);
        const hooks = { log: (l: string) => logs.push(l), reportMetrics: () => {}, progress: () => {}, isCancelled: () => false };
        const r = await trainSFT({ model, config, train, eval: [], padId: tok.padId, hooks, threads });
        r.adam.dispose();
        models.push(model);
      }
      expect(logs.some((l) => /data-parallel: 2 threads/.test(l))).toBe(true);
      const start = new GPT(TINY, { seed: 5 });
      if (lora) {
        expect(maxParamDiff(models[0]!.lora!.params, models[1]!.lora!.params)).toBeLessThan(1e-5);
        const fresh = new GPT(TINY, { seed: 5 }).attachLora(LORA);
        expect(maxParamDiff(models[0]!.lora!.params, fresh.params)).toBeGreaterThan(1e-3);
        fresh.dispose();
      } else {
        expect(moved(models[0]!.params, start)).toBeGreaterThan(1e-3);
      }
      expect(maxParamDiff(models[0]!.params, models[1]!.params)).toBeLessThan(1e-5);
      start.dispose();
      models.forEach((m) => m.dispose());
    }, 120_000);
  }
});

/** Toy rankings: four completions over {a, b} per prompt, ranked by their count of 'a' (ties grouped). */
function toyRankings(n: number, seed: number): RankingExample[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const completions = Array.from({ length: 4 }, (_, j) => ({ id: `c${i}-${j}`, text: Array.from({ length: 2 + j }, () => (random() < 0.5 ? "a" : "b")).join("") }));
    const countA = (t: string) => t.split("a").length - 1;
    const levels = [...new Set(completions.map((c) => countA(c.text)))].sort((x, y) => y - x);
    return { promptId: `p${i}`, prompt: `q${i % 5}`, split: "train", completions, ranking: levels.map((l) => completions.filter((c) => countA(c.text) === l).map((c) => c.id)) } as RankingExample;
  });
}

describe("reward model with 2 threads equals 1 thread", () => {
  it("LoRA backbone + scalar head, 3 steps", async () => {
    const config = parseRunConfig("reward", { num_train_epochs: 1, max_steps: 3, batch_size: 5, learning_rate: 3e-3, normalize: false, eval_holdout_fraction: 0 });
    const trained: { gpt: GPT; head: ScalarHead; metrics: Array<Record<string, number>> }[] = [];
    for (const threads of [1, 2]) {
      const gpt = new GPT(TINY, { seed: 2 });
      gpt.attachLora(LORA);
      const head = new ScalarHead(TINY.n_embd, { seed: 2 });
      const ctx = memoryContext();
      await trainRewardModel({ gpt, head, encode, padId: tok.padId, rankings: toyRankings(20, 5), config, ctx, threads });
      trained.push({ gpt, head, metrics: ctx.metrics });
    }
    const [one, two] = trained as [(typeof trained)[0], (typeof trained)[0]];
    // score.bias is left out: it cancels in r_w − r_l, so its true gradient is 0 and Adam turns rounding noise (a
    // different summation order) into full-size steps. It shifts every score alike and never changes a ranking.
    const weightOnly = (h: ScalarHead) => new Map([...h.params].filter(([n]) => n !== "score.bias"));
    expect(maxParamDiff(weightOnly(one.head), weightOnly(two.head))).toBeLessThan(1e-5);
    expect(maxParamDiff(one.gpt.lora!.params, two.gpt.lora!.params)).toBeLessThan(1e-5);
    const fresh = new ScalarHead(TINY.n_embd, { seed: 2 });
    expect(maxParamDiff(one.head.params, fresh.params)).toBeGreaterThan(1e-3);
    // The metrics agree too: loss and accuracy gathered from both threads' shards.
    one.metrics.forEach((m, i) => {
      expect(two.metrics[i]!["train/loss"]).toBeCloseTo(m["train/loss"]!, 5);
      expect(two.metrics[i]!["train/accuracy"]).toBeCloseTo(m["train/accuracy"]!, 6);
    });
    fresh.dispose();
    trained.forEach((t) => (t.gpt.dispose(), t.head.dispose()));
  }, 120_000);
});

describe("DPO with 2 threads equals 1 thread", () => {
  it("full fine-tune against a separate reference, 3 steps", async () => {
    const pairs: PairExample[] = Array.from({ length: 16 }, (_, i) => ({ promptId: `p${i}`, prompt: `q${i % 6}`, split: "train", chosen: "a".repeat(2 + (i % 4)), rejected: "b".repeat(3 + (i % 3)) }));
    const config = parseRunConfig("dpo", { num_train_epochs: 1, max_steps: 3, learning_rate: 3e-3, batch_size: 5, eval_holdout_fraction: 0 });
    const reference = new GPT(TINY, { seed: 4 });
    const trained: { policy: GPT; metrics: Array<Record<string, number>> }[] = [];
    for (const threads of [1, 2]) {
      const policy = new GPT(TINY, { seed: 4 });
      const ctx = memoryContext();
      await trainDPO({ policy, reference, encode, padId: tok.padId, pairs, config, ctx, threads });
      trained.push({ policy, metrics: ctx.metrics });
    }
    const [one, two] = trained as [(typeof trained)[0], (typeof trained)[0]];
    expect(moved(one.policy.params, reference)).toBeGreaterThan(1e-3);
    expect(maxParamDiff(one.policy.params, two.policy.params)).toBeLessThan(1e-5);
    one.metrics.forEach((m, i) => {
      expect(two.metrics[i]!["train/loss"]).toBeCloseTo(m["train/loss"]!, 5);
      expect(two.metrics[i]!["rewards/margins"]).toBeCloseTo(m["rewards/margins"]!, 5);
    });
    reference.dispose();
    trained.forEach((t) => t.policy.dispose());
  }, 120_000);
});

describe("online trainers with 2 threads equal 1 thread", () => {
  // The test's own sampler ignores the threads, so both runs see the same rollouts and only the gradients differ in
  // how they were computed.
  const PPO = { max_steps: 2, batch_size: 8, mini_batch_size: 4, num_ppo_epochs: 2, learning_rate: 3e-3, lr_scheduler_type: "constant", response_length: 6, beta: 0.05, temperature: 0.7, seed: 3 };
  const GROUP = { max_steps: 2, batch_size: 8, num_generations: 4, steps_per_generation: 2, learning_rate: 3e-3, lr_scheduler_type: "constant", max_completion_length: 6, temperature: 0.7, seed: 3 };

  async function train(kind: "ppo" | "grpo" | "rloo", threads: number, overrides: Record<string, unknown>, lora: boolean) {
    const policy = new GPT(shape, { seed: 1 });
    if (lora) policy.attachLora(LORA);
    const reference = new GPT(shape, { seed: 1 });
    const valueHead = new ScalarHead(shape.n_embd, { init: "zeros" });
    const critic = { gpt: new GPT(shape, { seed: 2 }), head: new ScalarHead(shape.n_embd, { seed: 2 }) };
    const firstRatios: number[] = [];
    const trainedOf = () => new Map<string, tf.Variable>([...policy.trainableParams(), ...[...valueHead.params].map(([n, v]) => [`value.${n}`, v] as const), ...[...critic.gpt.params, ...critic.head.params].map(([n, v]) => [`critic.${n}`, v] as const)]);
    const before = new Map([...trainedOf()].map(([n, v]) => [n, tf.variable(tf.clone(v), false)]));
    const common = { policy, reference, rewardFn: toyReward, prompts, eosId: EOS, padId: PAD, sample, ctx: memoryContext(), threads };
    if (kind === "ppo") {
      const onMinibatch = (i: { epoch: number; minibatch: number; ratioMin: number; ratioMax: number }) => {
        if (i.epoch === 0 && i.minibatch === 0) firstRatios.push(i.ratioMin, i.ratioMax);
      };
      await trainPPO({ ...common, valueHead, critic, onMinibatch, config: parseRunConfig("ppo", { ...PPO, ...overrides }) });
    } else {
      await trainGroupPolicy({ ...common, algorithm: { kind, config: parseRunConfig(kind, { ...GROUP, ...overrides }) } as GroupAlgorithm });
    }
    return { trained: trainedOf(), before, firstRatios, dispose: () => [policy, reference, valueHead, critic.gpt, critic.head, ...before.values()].forEach((m) => m.dispose()) };
  }

  const cases: Array<[string, "ppo" | "grpo" | "rloo", Record<string, unknown>, boolean]> = [
    ["PPO, value head on the policy", "ppo", { value_model: "policy_head" }, false],
    ["PPO, LoRA policy and a separate critic, 2 accumulated micro-batches", "ppo", { value_model: "rm_critic", gradient_accumulation_steps: 2 }, true],
    ["GRPO (dapo loss)", "grpo", { loss_type: "dapo" }, false],
    ["RLOO", "rloo", {}, false],
  ];
  for (const [name, kind, overrides, lora] of cases) {
    it(name, async () => {
      const one = await train(kind, 1, overrides, lora);
      const two = await train(kind, 2, overrides, lora);
      expect(maxParamDiff(one.trained, two.trained)).toBeLessThan(1e-5);
      expect(maxParamDiff(one.trained, one.before)).toBeGreaterThan(1e-3);
      // The rollout pass scores the same shards the first update trains on: its ratio is exactly 1 on 2 threads too.
      for (const r of two.firstRatios) expect(r).toBe(1);
      [one, two].forEach((t) => t.dispose());
    }, 120_000);
  }
});
