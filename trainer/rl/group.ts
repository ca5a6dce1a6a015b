// GRPO and RLOO (TRL's GRPOTrainer and RLOOTrainer): K completions per prompt, scored by a frozen RM, with the
// prompt's group as the baseline instead of a critic. One loop serves both; they differ in the advantage (group
// mean and std vs leave-one-out mean), where the KL to the reference acts (a k3 term in GRPO's loss vs β·KL taken
// off RLOO's reward) and the ratio (per token vs per sequence).
import * as tf from "@tensorflow/tfjs";
import { Adam, clipByGlobalNorm } from "../model/adam";
import { DataParallel, splitRowsByTokens } from "../model/data-parallel";
import type { GPT } from "../model/gpt";
import { learningRateAt, warmupSteps } from "../model/schedule";
import { mulberry32 } from "../../server/services/random";
import type { GRPOConfig } from "../../server/services/run-kinds/grpo-config";
import type { RLOOConfig } from "../../server/services/run-kinds/rloo-config";
import { checkGroupBatch } from "../../server/services/run-kinds/group-config";
import { RunCancelled, type RlContext } from "./context";
import { KlController } from "./kl-controller";
import { disposeBatchTensors, responseLogprobs, toBatchTensors } from "./forward";
import type { ResumeStore } from "../checkpoint/resume";
import { RolloutCursor } from "./resume";
import type { GroupShard } from "./shard-losses";
import { actionValues, PromptCycler, scoreEpisodes, toEpisode, type RewardSource, type Sampler, type SampledEpisode } from "./rollout";
import { grpoAdvantages, meanStd, microBatches, rlooAdvantages, sampleStd, shares } from "./utils";

export type GroupAlgorithm = { kind: "grpo"; config: GRPOConfig } | { kind: "rloo"; config: RLOOConfig };

export interface GroupTrainInput extends RewardSource {
  policy: GPT;
  reference: GPT;
  /** Tokenized train prompts (chat template applied). */
  prompts: number[][];
  eosId: number;
  padId: number;
  sample: Sampler;
  algorithm: GroupAlgorithm;
  ctx: RlContext;
  /** The run's resumable checkpoints: restored from at the start, written every save_steps rollout iterations. */
  resume?: ResumeStore;
  /** Compute threads for gradients and rollouts (main + workers); RLHF_WORKERS or one per core when absent. */
  threads?: number;
  /** Test hook: the ratio π/π_old over the response tokens of every optimizer step. */
  onStep?: (info: { iteration: number; pass: number; step: number; ratioMin: number; ratioMax: number; advantages: number[]; rewards: number[] }) => void;
}

export interface GroupTrainResult {
  iterations: number;
  lastMetrics: Record<string, number>;
}

interface GroupEpisode extends SampledEpisode {
  logprobs: number[];
  refLogprobs: number[];
  /** RM score × reward_scale, less the no-EOS penalty (and for RLOO β·KL): what the advantage is built from. */
  reward: number;
  advantage: number;
}

/** Trains the policy in place with GRPO or RLOO; the reference and the RM stay frozen. */
export async function trainGroupPolicy(input: GroupTrainInput): Promise<GroupTrainResult> {
  const { policy, reference, ctx, algorithm } = input;
  const cfg = algorithm.config;
  const label = algorithm.kind.toUpperCase();
  const k = cfg.num_generations;
  const batchProblem = checkGroupBatch(cfg);
  if (batchProblem) throw new Error(`${label}: ${batchProblem}`);
  if (!input.reward && !input.rewardFn) throw new Error(`${label} needs a reward model`);
  if (input.prompts.length === 0) throw new Error(`${label} needs train prompts: import prompts with split 'train' first`);

  const params = new Map(policy.trainableParams());
  const adam = new Adam(params, { lr: cfg.learning_rate, eps: cfg.adam_epsilon });
  const totalSteps = cfg.max_steps * cfg.steps_per_generation * cfg.num_iterations;
  const schedule = { peakLr: cfg.learning_rate, totalSteps, warmupSteps: warmupSteps(totalSteps, cfg.warmup_ratio), type: cfg.lr_scheduler_type };
  const random = mulberry32(cfg.seed);
  const beta = new KlController(cfg.beta, cfg.adaptive_kl, cfg.target_kl, cfg.kl_horizon);
  const prompts = new PromptCycler(input.prompts, random);
  const sliceSize = cfg.batch_size / cfg.steps_per_generation;
  // gradient_accumulation_steps splits each step's slice into micro-batches: one forward and backward pass each.
  const microOf = (slice: number[]) => microBatches(slice, sliceSize / cfg.gradient_accumulation_steps);
  let lastMetrics: Record<string, number> = {};

  // Gradients (and rollouts) over every core: the policy is replicated on the worker threads; the frozen reference and
  // RM are not (their numbers travel in the shards).
  const dp = await DataParallel.start({ replicas: [{ gpt: policy }], loss: { module: new URL("./shard-losses.ts", import.meta.url).href, name: "groupShardLoss" }, backend: tf.getBackend(), threads: input.threads, log: (l) => ctx.log(l) });
  try {
    // Policy, Adam, the RNG, the prompt cycle and the adaptive β as the last save left them (none: a fresh run).
    const cursor = new RolloutCursor({ store: input.resume, saveSteps: cfg.save_steps, total: cfg.max_steps, params, optimizers: { adam }, random, prompts, promptIds: input.prompts, kl: beta }, ctx);
    let optimizerStep = cursor.iteration * cfg.steps_per_generation * cfg.num_iterations;
    for (let iteration = cursor.iteration; iteration < cfg.max_steps; iteration++) {
      if (ctx.isCancelled()) throw new RunCancelled(`${label} run was cancelled`);
      const started = Date.now();

      // 1. Rollout: batch_size / K prompts, each sampled K times; a group is K consecutive episodes.
      const groupPrompts = prompts.next(cfg.batch_size / k).flatMap((p) => Array.from({ length: k }, () => p));
      const sampled = await input.sample(policy, groupPrompts, { maxNewTokens: cfg.max_completion_length, temperature: cfg.temperature, seed: cfg.seed * 100003 + iteration }, dp);
      const sampledAt = Date.now();
      const episodes: GroupEpisode[] = sampled.map((tokens, i) => ({ ...toEpisode(groupPrompts[i]!, tokens, input.eosId), logprobs: [], refLogprobs: [], reward: 0, advantage: 0 }));
      const scores = await scoreEpisodes(input, episodes, input.eosId, input.padId);

      // 2. Rollout log-probs of the policy and the reference, on exactly the micro-batches the optimizer steps will see, so
      //    the first step's ratio is exactly 1 (the check that sampling-time and training-time log-probs agree).
      const slices = Array.from({ length: cfg.steps_per_generation }, (_, s) => Array.from({ length: sliceSize }, (_, j) => s * sliceSize + j));
      // A micro-batch's rows split over the compute threads, about equal in tokens; the rollout pass scores exactly
      // these shards too, so the first step's ratio stays exactly 1 with any thread count.
      const shardsOf = (part: number[]) => splitRowsByTokens(part, (i) => episodes[i]!.example.ids.length, dp.threads);
      const groupShard = (rows: number[]): GroupShard => {
        const eps = rows.map((i) => episodes[i]!);
        const grpo = algorithm.kind === "grpo" ? algorithm.config : null;
        return {
          kind: algorithm.kind,
          examples: eps.map((ep) => ep.example),
          logprobs: eps.map((ep) => ep.logprobs),
          refLogprobs: eps.map((ep) => ep.refLogprobs),
          advantages: eps.map((ep) => ep.advantage),
          padId: input.padId,
          temperature: cfg.temperature,
          epsilon: cfg.epsilon,
          beta: grpo ? beta.value : 0, // the adaptive coefficient, not the configured start
          lossType: grpo?.loss_type ?? "grpo",
          maxCompletionLength: cfg.max_completion_length,
        };
      };
      const rolloutParts = slices.flatMap(microOf).flatMap(shardsOf);
      // The policy's log-probs run on the worker threads while this one runs the frozen reference.
      const policyStats = dp.evaluateElsewhere("policyRolloutStats", rolloutParts.map((part) => ({ examples: part.map((i) => episodes[i]!.example), padId: input.padId, temperature: cfg.temperature })));
      policyStats.catch(() => {}); // awaited below; a failure must not count as unhandled while the reference runs
      for (const part of rolloutParts) {
        const bt = toBatchTensors(part.map((i) => episodes[i]!.example), input.padId);
        const ref = tf.tidy(() => responseLogprobs(reference, bt, { temperature: cfg.temperature }).logprobs);
        const refRows = actionValues(await ref.data(), bt);
        part.forEach((e, j) => (episodes[e]!.refLogprobs = refRows[j]!));
        ref.dispose();
        disposeBatchTensors(bt);
      }
      (await policyStats).forEach((o, k) => rolloutParts[k]!.forEach((e, j) => (episodes[e]!.logprobs = (o.logprobs as number[][])[j]!)));
      const scoredAt = Date.now();

      // 3. Rewards and group advantages.
      const seqKl = episodes.map((ep) => ep.logprobs.reduce((s, l, t) => s + l - ep.refLogprobs[t]!, 0));
      episodes.forEach((ep, i) => {
        ep.reward = cfg.reward_scale * scores[i]! - (ep.endedWithEos ? 0 : cfg.missing_eos_penalty);
        // RLOO (TRL) takes β times the sequence's KL (summed log-ratio) off the reward; GRPO puts KL in the loss.
        if (algorithm.kind === "rloo") ep.reward -= beta.value * seqKl[i]!;
      });
      const rewards = episodes.map((ep) => ep.reward);
      const advantages = algorithm.kind === "grpo" ? grpoAdvantages(rewards, k, algorithm.config.scale_rewards) : rlooAdvantages(rewards, k, algorithm.config.normalize_advantages);
      episodes.forEach((ep, i) => (ep.advantage = advantages[i]!));

      // 4. num_iterations passes, one optimizer step per slice.
      const sums = { loss: 0, kl: 0, entropy: 0, low: 0, high: 0, region: 0, gradNorm: 0, n: 0 };
      for (let pass = 0; pass < cfg.num_iterations; pass++) {
        for (const slice of slices) {
          // Each shard (a micro-batch's rows on one thread) weighs its share of what the step's loss averages over
          // (tokens for dapo, rows for grpo, dr_grpo and RLOO), and its share of tokens in the token-mean metrics:
          // the accumulated step is the slice's.
          const micro = microOf(slice).map((part) => shardsOf(part).map(groupShard));
          const flat = micro.flat();
          const tokenShares = shares(flat.map((sh) => sh.logprobs.reduce((n, row) => n + row.length, 0)));
          const rowShares = shares(flat.map((sh) => sh.examples.length));
          const lossShares = algorithm.kind === "grpo" && algorithm.config.loss_type === "dapo" ? tokenShares : rowShares;
          const clipShares = algorithm.kind === "grpo" ? tokenShares : rowShares;
          let shardIndex = 0;
          const { loss, grads, outputs } = await dp.accumulatedGrads(micro.map((shards) => ({ shards, weights: shards.map(() => lossShares[shardIndex++]!) })), { absolute: true });
          const clipped = clipByGlobalNorm(grads, cfg.max_grad_norm, { consume: true });
          adam.step(clipped.grads, learningRateAt(optimizerStep, schedule));
          ctx.countTokens?.(flat.reduce((n, sh) => n + sh.examples.reduce((k, e) => k + e.ids.length, 0), 0));
          const read = outputs.flat().map((o) => o.stats as number[]);
          const weighted = (k: number, w: number[]) => read.reduce((s, row, m) => s + w[m]! * row[k]!, 0);
          sums.loss += loss;
          sums.gradNorm += (await clipped.norm.data())[0]!;
          sums.kl += weighted(0, tokenShares);
          sums.entropy += weighted(1, tokenShares);
          sums.low += weighted(2, clipShares);
          sums.high += weighted(3, clipShares);
          sums.region += weighted(4, clipShares);
          sums.n++;
          const eps = slice.map((i) => episodes[i]!);
          const ratioMin = Math.min(...read.map((row) => row[5]!));
          const ratioMax = Math.max(...read.map((row) => row[6]!));
          input.onStep?.({ iteration, pass, step: optimizerStep, ratioMin, ratioMax, advantages: eps.map((ep) => ep.advantage), rewards: eps.map((ep) => ep.reward) });
          optimizerStep++;
          tf.dispose([clipped.norm, ...grads.values(), ...clipped.grads.values()]);
        }
      }

      // 5. Metrics under TRL's names, plus objective/* as PPO reports them so runs compare.
      // reward / reward_std are the RM's scores as TRL logs its reward functions' (before scale, penalty and KL).
      const rawScores = scores;
      const groupStds = Array.from({ length: rewards.length / k }, (_, g) => sampleStd(rewards.slice(g * k, (g + 1) * k)));
      const n = sums.n;
      lastMetrics = {
        reward: meanStd(rawScores).mean,
        reward_std: sampleStd(rawScores),
        frac_reward_zero_std: groupStds.filter((s) => s < 1e-8).length / groupStds.length,
        kl: sums.kl / n,
        entropy: sums.entropy / n,
        "clip_ratio/low_mean": sums.low / n,
        "clip_ratio/high_mean": sums.high / n,
        "clip_ratio/region_mean": sums.region / n,
        "completions/mean_length": meanStd(episodes.map((ep) => ep.responseLength)).mean,
        "completions/clipped_ratio": episodes.filter((ep) => !ep.endedWithEos).length / episodes.length,
        "objective/scores": meanStd(rawScores).mean,
        "objective/kl": meanStd(seqKl).mean,
        "objective/kl_coef": beta.value,
        "train/loss": sums.loss / n,
        "train/grad_norm": sums.gradNorm / n,
        "train/lr": learningRateAt(Math.max(0, optimizerStep - 1), schedule),
        "time/iteration_s": (Date.now() - started) / 1000,
        "time/rollout_s": (sampledAt - started) / 1000,
        "time/scoring_s": (scoredAt - sampledAt) / 1000,
        "time/update_s": (Date.now() - scoredAt) / 1000,
        episode: (iteration + 1) * cfg.batch_size,
      };
      beta.update(meanStd(seqKl).mean, cfg.batch_size);
      ctx.reportMetrics(iteration + 1, lastMetrics);
      ctx.progress((iteration + 1) / cfg.max_steps, { reward: lastMetrics.reward!, kl: lastMetrics["objective/kl"]!, ent: lastMetrics.entropy!, clip: lastMetrics["clip_ratio/region_mean"]!, len: lastMetrics["completions/mean_length"]! });
      await cursor.after(iteration + 1);
    }
  } finally {
    await dp.close();
    adam.dispose();
  }
  return { iterations: cfg.max_steps, lastMetrics };
}
