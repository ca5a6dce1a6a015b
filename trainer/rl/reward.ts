// The reward-model trainer (InstructGPT §3.5): a policy backbone plus a scalar head read at the last response token,
// trained on whole rankings with the 1/C(K,2) pairwise loss, evaluated on held-out pairs each epoch, and finally
// normalised so that scores of the reference policy's samples have mean 0 and std 1.
import * as tf from "@tensorflow/tfjs";
import type { TokenizedExample } from "../data/collate";
import { truncateKeepingEnd } from "../data/collate";
import { Adam, clipByGlobalNorm } from "../model/adam";
import { balancedRanges, DataParallel, type ShardedBatch } from "../model/data-parallel";
import { applyGradientCheckpointing } from "../model/recompute";
import { withAdapterDropoutAsync } from "../model/lora";
import { learningRateAt, warmupSteps } from "../model/schedule";
import type { GPT } from "../model/gpt";
import type { ScalarHead } from "../model/heads";
import { rankingToPairs } from "../../server/services/pairs";
import { mulberry32, shuffledIndices } from "../../server/services/random";
import { rewardConfig, type RewardConfig } from "../../server/services/run-kinds/reward-config";
import { RunInputError } from "../runs/errors";

/** Sequence length when scoring outside a training run: the reward config's default. */
const DEFAULT_MAX_LENGTH = rewardConfig.shape.max_length.parse(undefined);
import { RunCancelled, type RlContext } from "./context";
import { disposeBatchTensors, lastTokenScores, toBatchTensors } from "./forward";
import { rankingLoss } from "./losses";
import { rewardShard, type RewardShard } from "./shard-losses";
import { meanStd, microBatches } from "./utils";
import type { ResumeStore } from "../checkpoint/resume";
import { EpochCursor } from "./resume";

/** The slice of a ranked example the RM needs (server/services/datasets.ts RankedExample satisfies it). */
export interface RankingExample {
  promptId: string;
  prompt: string;
  split: "train" | "test";
  completions: { id: string; text: string }[];
  ranking: string[][];
}

/** A ranking prepared for the loss: its sequences and its pairs as indices into them. */
interface PreparedRanking {
  keys: string[];
  examples: TokenizedExample[];
  pairs: Array<[number, number]>;
  pairCount: number;
}

export type Encode = (prompt: string, response: string) => TokenizedExample;

function prepareRankings(data: readonly RankingExample[], encode: Encode, cfg: RewardConfig): PreparedRanking[] {
  const out: PreparedRanking[] = [];
  const cut = (ex: TokenizedExample) => truncateKeepingEnd(ex, cfg.max_length);
  for (const ex of data) {
    const k = ex.completions.length;
    if (k < cfg.min_completions) continue;
    const index = new Map(ex.completions.map((c, i) => [c.id, i]));
    const pairs = rankingToPairs(ex.ranking).map((p) => [index.get(p.chosen)!, index.get(p.rejected)!] as [number, number]);
    if (pairs.length === 0) continue; // a full tie says nothing about which is better
    const examples = ex.completions.map((c) => cut(encode(ex.prompt, c.text)));
    out.push({ keys: ex.completions.map((c) => `${ex.promptId}\u0000${c.id}`), examples, pairs, pairCount: (k * (k - 1)) / 2 });
  }
  return out;
}

/**
 * Splits rankings into train and held-out sets: the data's own test split when it has one, otherwise a seeded
 * `eval_holdout_fraction` of prompts (by prompt, so one prompt's completions never sit on both sides).
 */
export function splitRankings<T extends RankingExample>(data: readonly T[], cfg: Pick<RewardConfig, "eval_holdout_fraction" | "seed">): { train: T[]; heldOut: T[] } {
  const test = data.filter((d) => d.split === "test");
  if (test.length > 0) return { train: data.filter((d) => d.split !== "test"), heldOut: test };
  const promptIds = [...new Set(data.map((d) => d.promptId))];
  const order = shuffledIndices(promptIds.length, mulberry32(cfg.seed ^ 0x7e57));
  const nHeld = Math.floor(promptIds.length * cfg.eval_holdout_fraction);
  const held = new Set(order.slice(0, nHeld).map((i) => promptIds[i]!));
  return { train: data.filter((d) => !held.has(d.promptId)), heldOut: data.filter((d) => held.has(d.promptId)) };
}

/** Loss on one batch of rankings (evaluation): the training shard loss's batch, on the calling thread. */
function batchLoss(gpt: GPT, head: ScalarHead, rankings: readonly PreparedRanking[], padId: number) {
  const shard = rewardShard(rankings, padId);
  const bt = toBatchTensors(shard.examples, padId);
  return {
    run: () => rankingLoss(lastTokenScores(gpt, head, bt), shard.rankings),
    dispose: () => disposeBatchTensors(bt),
  };
}

/**
 * Splits a micro-batch of rankings over `parts` compute threads: contiguous rankings of about equal token counts,
 * each shard weighted by its share of the rankings (the loss is a mean over rankings). One ranking stays one shard.
 */
function rewardShards(rankings: readonly PreparedRanking[], padId: number, parts: number): ShardedBatch {
  const tokens = rankings.map((r) => r.examples.reduce((n, e) => n + e.ids.length, 0));
  const ranges = balancedRanges(tokens, parts);
  return { shards: ranges.map(([a, b]) => rewardShard(rankings.slice(a, b), padId)), weights: ranges.map(([a, b]) => (b - a) / rankings.length) };
}

/** Held-out pairwise accuracy and loss (ties in score count as wrong, so an untrained constant head scores 0). */
export function evaluateRankings(
  gpt: GPT,
  head: ScalarHead,
  data: readonly RankingExample[],
  encode: Encode,
  padId: number,
  opts: { batchSize?: number; maxLength?: number } = {},
): { accuracy: number; loss: number; pairs: number } {
  const cfg = { ...rewardConfig.parse({}), max_length: Math.min(opts.maxLength ?? DEFAULT_MAX_LENGTH, gpt.config.n_positions) };
  const prepared = prepareRankings(data, encode, cfg);
  const size = opts.batchSize ?? 8;
  let correct = 0;
  let pairs = 0;
  let lossSum = 0;
  for (let i = 0; i < prepared.length; i += size) {
    const chunk = prepared.slice(i, i + size);
    const b = batchLoss(gpt, head, chunk, padId);
    const out = b.run();
    lossSum += out.loss.dataSync()[0]! * chunk.length;
    correct += Math.round(out.accuracy * out.pairs);
    pairs += out.pairs;
    out.loss.dispose();
    b.dispose();
  }
  return { accuracy: pairs ? correct / pairs : 0, loss: prepared.length ? lossSum / prepared.length : 0, pairs };
}

/** Scores prompt+response texts with a reward model, in batches; the same read-out PPO uses. */
export function scoreTexts(
  gpt: GPT,
  head: ScalarHead,
  items: ReadonlyArray<{ prompt: string; response: string }>,
  encode: Encode,
  padId: number,
  opts: { batchSize?: number; maxLength?: number } = {},
): number[] {
  const size = opts.batchSize ?? 16;
  const out: number[] = [];
  for (let i = 0; i < items.length; i += size) {
    const maxLength = Math.min(opts.maxLength ?? DEFAULT_MAX_LENGTH, gpt.config.n_positions);
    const examples = items.slice(i, i + size).map((it) => {
      return truncateKeepingEnd(encode(it.prompt, it.response), maxLength);
    });
    const bt = toBatchTensors(examples, padId);
    const scores = lastTokenScores(gpt, head, bt);
    out.push(...Array.from(scores.dataSync()));
    scores.dispose();
    disposeBatchTensors(bt);
  }
  return out;
}

/**
 * Folds a normalisation into the head: score' = (score − mean)/std becomes w' = w/std, b' = (b − mean)/std, so the
 * saved RM needs no extra parameters and every consumer sees normalised scores.
 */
export function foldNormalization(head: ScalarHead, mean: number, std: number): void {
  if (!(std > 1e-6)) throw new Error(`cannot normalise the reward model: its scores on reference samples have std ${std}`);
  const w = head.params.get("score.weight")!;
  const b = head.params.get("score.bias")!;
  tf.tidy(() => {
    w.assign(tf.div(w, std));
    b.assign(tf.div(tf.sub(b, mean), std));
  });
}

export interface RewardTrainInput {
  gpt: GPT;
  head: ScalarHead;
  encode: Encode;
  padId: number;
  /** Usable rankings (not_rankable ones already left out by the dataset service). */
  rankings: readonly RankingExample[];
  /** Reference-policy samples (prompt + response) for the normalisation; required when cfg.normalize. */
  referenceSamples?: (n: number, seed: number) => Promise<Array<{ prompt: string; response: string }>>;
  config: RewardConfig;
  ctx: RlContext;
  /** The run's resumable checkpoints: restored from at the start, written every config.save_steps steps. */
  resume?: ResumeStore;
  /** Compute threads for the gradients (main + workers); RLHF_WORKERS or one per core when absent. */
  threads?: number;
}

export interface RewardTrainResult {
  steps: number;
  eval: { accuracy: number; loss: number; pairs: number };
  normalization: { mean: number; std: number } | null;
  trainRankings: number;
  heldOutRankings: number;
}

function contentKey(r: RankingExample): string {
  const text = new Map(r.completions.map((c) => [c.id, c.text]));
  return JSON.stringify([r.prompt, r.ranking.map((g) => g.map((id) => text.get(id) ?? id).sort())]);
}

/** Trains the reward model in place (gpt and head), then normalises it; returns the final held-out metrics. */
export async function trainRewardModel(input: RewardTrainInput): Promise<RewardTrainResult> {
  const { gpt, head, encode, padId, ctx } = input;
  // Sequences never exceed the backbone's context, whatever max_length says.
  const cfg = { ...input.config, max_length: Math.min(input.config.max_length, gpt.config.n_positions) };
  // A content order (not the database's random ids) makes a run repeatable from its seed.
  const ordered = [...input.rankings].sort((a, b) => contentKey(a).localeCompare(contentKey(b)));
  const { train, heldOut } = splitRankings(ordered, cfg);
  const prepared = prepareRankings(train, encode, cfg);
  if (prepared.length === 0) {
    throw new RunInputError(
      `no usable rankings to train on (${input.rankings.length} found; each needs at least ${cfg.min_completions} completions in different groups): import rankings first`,
    );
  }
  applyGradientCheckpointing(gpt, cfg.gradient_checkpointing, (l) => ctx.log(l));
  ctx.log(`reward model: ${prepared.length} train rankings, ${heldOut.length} held-out rankings, ${gpt.numParams()} backbone params`);
  const dp = await DataParallel.start({ replicas: [{ gpt, head }], loss: { module: new URL("./shard-losses.ts", import.meta.url).href, name: "rewardShardLoss" }, backend: tf.getBackend(), threads: input.threads, log: (l) => ctx.log(l) });
  const params = dp.params;
  const adam = new Adam(params, { lr: cfg.learning_rate, eps: cfg.adam_epsilon, weightDecay: cfg.weight_decay });
  const random = mulberry32(cfg.seed);
  // Each optimizer step takes gradient_accumulation_steps micro-batches of batch_size rankings.
  const perStep = cfg.batch_size * cfg.gradient_accumulation_steps;
  const stepsPerEpoch = Math.ceil(prepared.length / perStep);
  // max_steps > 0 is a step budget that cuts the epochs short (TRL's max_steps).
  const epochSteps = stepsPerEpoch * cfg.num_train_epochs;
  const totalSteps = cfg.max_steps > 0 ? Math.min(cfg.max_steps, epochSteps) : epochSteps;
  const schedule = { peakLr: cfg.learning_rate, totalSteps, warmupSteps: warmupSteps(totalSteps, cfg.warmup_ratio), type: cfg.lr_scheduler_type };
  let step = 0;
  let evalResult = { accuracy: 0, loss: 0, pairs: 0 };
  // load_best_model_at_end: a copy of the weights at the best held-out accuracy so far (HF's
  // metric_for_best_model = accuracy, evaluated every epoch); the last epoch can overfit a small ranking set.
  let best: { accuracy: number; epoch: number; eval: typeof evalResult; weights: Map<string, tf.Tensor> } | null = null;
  try {
    // Backbone, head, Adam, the epoch cursor, the shuffle RNG and the best epoch so far as the last save left them.
    const data = prepared.map((r) => [r.keys, r.pairs]);
    const cursor = new EpochCursor<{ accuracy: number; epoch: number; eval: typeof evalResult }>({ store: input.resume, saveSteps: cfg.save_steps, total: totalSteps, params, optimizers: { adam }, random, lora: gpt.lora, data }, ctx);
    step = cursor.step;
    if (cursor.extra) best = { ...cursor.extra.value, weights: cursor.extra.tensors };
    for (let epoch = cursor.epoch; epoch < cfg.num_train_epochs && step < totalSteps; epoch++) {
      const order = cursor.order(epoch, prepared.length);
      for (let i = cursor.first(epoch); i < order.length && step < totalSteps; i += perStep) {
        if (ctx.isCancelled()) throw new RunCancelled("reward model training was cancelled");
        const micro = microBatches(order.slice(i, i + perStep), cfg.batch_size).map((part) => part.map((j) => prepared[j]!));
        const sharded = micro.map((part) => rewardShards(part, padId, dp.threads));
        const { loss, grads, outputs } = await withAdapterDropoutAsync([gpt.lora], () => dp.accumulatedGrads(sharded));
        // Each micro-batch's accuracy over its pairs, averaged over micro-batches (as the loss).
        const accuracy = outputs.reduce((sum, shards) => {
          const correct = shards.reduce((n, o) => n + (o.correct as number), 0);
          return sum + correct / Math.max(1, shards.reduce((n, o) => n + (o.pairs as number), 0)) / outputs.length;
        }, 0);
        const clipped = clipByGlobalNorm(grads, cfg.max_grad_norm, { consume: true });
        const lr = learningRateAt(step, schedule);
        adam.step(clipped.grads, lr);
        step++;
        ctx.countTokens?.(sharded.flatMap((b) => b.shards as RewardShard[]).reduce((n, s) => n + s.examples.reduce((k, e) => k + e.ids.length, 0), 0));
        ctx.reportMetrics(step, {
          "train/loss": loss,
          "train/accuracy": accuracy,
          "train/grad_norm": (await clipped.norm.data())[0]!,
          "train/learning_rate": lr,
          epoch: epoch + Math.min(1, (i + perStep) / order.length),
        });
        tf.dispose([clipped.norm, ...grads.values(), ...clipped.grads.values()]);
        ctx.progress((0.9 * step) / totalSteps);
        await cursor.after(step, epoch, i + perStep, best && { value: { accuracy: best.accuracy, epoch: best.epoch, eval: best.eval }, tensors: best.weights });
      }
      if (heldOut.length) {
        evalResult = evaluateRankings(gpt, head, heldOut, encode, padId, { batchSize: cfg.batch_size, maxLength: cfg.max_length });
        ctx.reportMetrics(step, { "eval/accuracy": evalResult.accuracy, "eval/loss": evalResult.loss, "eval/pairs": evalResult.pairs, epoch: epoch + 1 });
        ctx.log(`epoch ${epoch + 1}/${cfg.num_train_epochs}: held-out accuracy ${evalResult.accuracy.toFixed(3)} on ${evalResult.pairs} pairs, loss ${evalResult.loss.toFixed(4)}`);
        if (cfg.load_best_model_at_end && (!best || evalResult.accuracy > best.accuracy)) {
          if (best) tf.dispose([...best.weights.values()]);
          best = { accuracy: evalResult.accuracy, epoch: epoch + 1, eval: evalResult, weights: new Map([...params].map(([k, v]) => [k, tf.clone(v)])) };
        }
      }
    }
    if (best && best.epoch < cfg.num_train_epochs) {
      for (const [k, v] of params) v.assign(best.weights.get(k)!);
      evalResult = best.eval;
      ctx.log(`load_best_model_at_end: kept epoch ${best.epoch} (held-out accuracy ${best.accuracy.toFixed(3)})`);
      ctx.reportMetrics(step, { "eval/best_epoch": best.epoch });
    }
  } finally {
    await dp.close();
    adam.dispose();
    if (best) tf.dispose([...best.weights.values()]);
  }

  let normalization: RewardTrainResult["normalization"] = null;
  if (cfg.normalize) {
    if (!input.referenceSamples) throw new Error("reward model normalisation needs reference-policy samples");
    const samples = await input.referenceSamples(cfg.normalize_samples, cfg.seed);
    const scores = scoreTexts(gpt, head, samples, encode, padId, { maxLength: cfg.max_length });
    const { mean, std } = meanStd(scores);
    foldNormalization(head, mean, std);
    normalization = { mean, std };
    ctx.log(`normalised on ${samples.length} reference samples: raw mean ${mean.toFixed(4)}, std ${std.toFixed(4)} → 0, 1`);
  }
  ctx.progress(1);
  return { steps: step, eval: evalResult, normalization, trainRankings: prepared.length, heldOutRankings: heldOut.length };
}
