// GRPO and RLOO (TRL's GRPOTrainer and RLOOTrainer): K completions per prompt, scored by a frozen RM, with the
// prompt's group as the baseline instead of a critic. One loop serves both; they differ in the advantage (group
// mean and std vs leave-one-out mean), where the KL to the reference acts (a k3 term in GRPO's loss vs β·KL taken
// off RLOO's reward) and the ratio (per token vs per sequence).
import * as tf from "@tensorflow/tfjs";
import { Adam, clipByGlobalNorm, computeGrads } from "../model/adam";
import type { GPT } from "../model/gpt";
import { learningRateAt, warmupSteps } from "../model/schedule";
import { mulberry32 } from "../../server/services/random";
import type { GRPOConfig } from "../../server/services/run-kinds/grpo-config";
import type { RLOOConfig } from "../../server/services/run-kinds/rloo-config";
import { RunCancelled, type RlContext } from "./context";
import { KlController } from "./kl-controller";
import { disposeBatchTensors, responseLogprobs, toBatchTensors } from "./forward";
import { grpoLoss, rlooLoss, type ClipStats } from "./losses";
import { actionValues, placeActions, PromptCycler, scoreEpisodes, toEpisode, type RewardSource, type Sampler, type SampledEpisode } from "./rollout";
import { grpoAdvantages, maskedMean, meanStd, rlooAdvantages, sampleStd } from "./utils";

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
  if (cfg.batch_size % k !== 0 || cfg.batch_size % cfg.steps_per_generation !== 0) throw new Error(`${label}: batch_size must be a multiple of num_generations and steps_per_generation`);
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
  let optimizerStep = 0;
  let lastMetrics: Record<string, number> = {};

  try {
    for (let iteration = 0; iteration < cfg.max_steps; iteration++) {
      if (ctx.isCancelled()) throw new RunCancelled(`${label} run was cancelled`);
      const started = Date.now();

      // 1. Rollout: batch_size / K prompts, each sampled K times; a group is K consecutive episodes.
      const groupPrompts = prompts.next(cfg.batch_size / k).flatMap((p) => Array.from({ length: k }, () => p));
      const sampled = await input.sample(policy, groupPrompts, { maxNewTokens: cfg.max_completion_length, temperature: cfg.temperature, seed: cfg.seed * 100003 + iteration });
      const sampledAt = Date.now();
      const episodes: GroupEpisode[] = sampled.map((tokens, i) => ({ ...toEpisode(groupPrompts[i]!, tokens, input.eosId), logprobs: [], refLogprobs: [], reward: 0, advantage: 0 }));
      const scores = await scoreEpisodes(input, episodes, input.eosId, input.padId);

      // 2. Rollout log-probs of the policy and the reference, on exactly the slices the optimizer steps will see, so
      //    the first step's ratio is exactly 1 (the check that sampling-time and training-time log-probs agree).
      const slices = Array.from({ length: cfg.steps_per_generation }, (_, s) => Array.from({ length: sliceSize }, (_, j) => s * sliceSize + j));
      for (const slice of slices) {
        const bt = toBatchTensors(slice.map((i) => episodes[i]!.example), input.padId);
        const [lp, ref] = tf.tidy(() => [responseLogprobs(policy, bt, { temperature: cfg.temperature }).logprobs, responseLogprobs(reference, bt, { temperature: cfg.temperature }).logprobs]);
        const [lpRows, refRows] = [actionValues(await lp!.data(), bt), actionValues(await ref!.data(), bt)];
        slice.forEach((e, j) => Object.assign(episodes[e]!, { logprobs: lpRows[j]!, refLogprobs: refRows[j]! }));
        tf.dispose([lp!, ref!]);
        disposeBatchTensors(bt);
      }
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
          const eps = slice.map((i) => episodes[i]!);
          const bt = toBatchTensors(eps.map((ep) => ep.example), input.padId);
          const old = tf.tidy(() => ({
            logprobs: placeActions(eps.map((ep) => ep.logprobs), bt),
            ref: placeActions(eps.map((ep) => ep.refLogprobs), bt),
            seq: tf.tensor1d(eps.map((ep) => ep.logprobs.reduce((s, l) => s + l, 0))),
            adv: tf.tensor1d(eps.map((ep) => ep.advantage)),
          }));
          let kept: tf.Tensor[] = [];
          const { loss, grads } = computeGrads(() => {
            const out = responseLogprobs(policy, bt, { temperature: cfg.temperature, withEntropy: true });
            let result: { loss: tf.Scalar; clip: ClipStats; kl: tf.Scalar };
            if (algorithm.kind === "grpo") {
              const c = algorithm.config;
              result = grpoLoss(out.logprobs, old.logprobs, old.ref, old.adv, bt.lossMask, { epsilon: c.epsilon, beta: beta.value, lossType: c.loss_type, maxCompletionLength: c.max_completion_length });
            } else {
              const r = rlooLoss(out.logprobs, old.seq, old.adv, bt.lossMask, cfg.epsilon);
              result = { ...r, kl: maskedMean(tf.sub(out.logprobs, old.ref), bt.lossMask) as tf.Scalar };
            }
            const ratio = tf.exp(tf.sub(out.logprobs, old.logprobs));
            const mask = tf.cast(bt.lossMask, "bool");
            const ratioMin = tf.min(tf.where(mask, ratio, tf.onesLike(ratio).mul(1e9)));
            const ratioMax = tf.max(tf.where(mask, ratio, tf.zerosLike(ratio)));
            const entropy = maskedMean(out.entropy!, bt.lossMask);
            kept = [result.kl, entropy, result.clip.low, result.clip.high, result.clip.region, ratioMin, ratioMax].map((t) => tf.keep(t));
            return result.loss;
          }, params);
          const clipped = clipByGlobalNorm(grads, cfg.max_grad_norm, { consume: true });
          adam.step(clipped.grads, learningRateAt(optimizerStep, schedule));
          ctx.countTokens?.(bt.batch.attentionMask.reduce((n, m) => n + m, 0));
          const [kl, entropy, low, high, region, ratioMin, ratioMax] = await Promise.all(kept.map(async (t) => (await t.data())[0]!));
          sums.loss += (await loss.data())[0]!;
          sums.gradNorm += (await clipped.norm.data())[0]!;
          sums.kl += kl!;
          sums.entropy += entropy!;
          sums.low += low!;
          sums.high += high!;
          sums.region += region!;
          sums.n++;
          input.onStep?.({ iteration, pass, step: optimizerStep, ratioMin: ratioMin!, ratioMax: ratioMax!, advantages: eps.map((ep) => ep.advantage), rewards: eps.map((ep) => ep.reward) });
          optimizerStep++;
          tf.dispose([loss, clipped.norm, ...kept, ...grads.values(), ...clipped.grads.values(), ...Object.values(old)]);
          disposeBatchTensors(bt);
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
    }
  } finally {
    adam.dispose();
  }
  return { iterations: cfg.max_steps, lastMetrics };
}
