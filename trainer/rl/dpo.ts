// The DPO trainer (Rafailov et al., TRL's DPOTrainer): the sigmoid, IPO or hinge loss on (chosen, rejected) pairs derived from
// rankings, against a frozen reference, with log-probs summed over response tokens.
import * as tf from "@tensorflow/tfjs";
import { truncateKeepingEnd, type TokenizedExample } from "../data/collate";
import { Adam, clipByGlobalNorm } from "../model/adam";
import { balancedRanges, DataParallel, type ShardedBatch } from "../model/data-parallel";
import { applyGradientCheckpointing } from "../model/recompute";
import { withAdapterDropoutAsync } from "../model/lora";
import type { GPT } from "../model/gpt";
import { learningRateAt, warmupSteps } from "../model/schedule";
import { mulberry32, shuffledIndices } from "../../server/services/random";
import type { DPOConfig } from "../../server/services/run-kinds/dpo-config";
import { RunCancelled, type RlContext } from "./context";
import { disposeBatchTensors, sequenceLogprobSums, toBatchTensors } from "./forward";
import { dpoShardOutputs, type DPOShard } from "./shard-losses";
import { meanStd, microBatches } from "./utils";
import type { ResumeStore } from "../checkpoint/resume";
import { EpochCursor } from "./resume";

/** One preference pair (server/services/datasets.ts PreferencePairExample satisfies it). */
export interface PairExample {
  promptId: string;
  prompt: string;
  split: "train" | "test";
  chosen: string;
  rejected: string;
}

interface PreparedPair {
  chosen: TokenizedExample;
  rejected: TokenizedExample;
  refChosen: number;
  refRejected: number;
}

export type Encode = (prompt: string, response: string) => TokenizedExample;

function encodeCut(encode: Encode, prompt: string, response: string, maxLength: number): TokenizedExample {
  return truncateKeepingEnd(encode(prompt, response), maxLength);
}

/** IPO compares per-token mean log-probs (TRL), the other losses summed ones. */
const averagesLogprobs = (cfg: DPOConfig) => cfg.loss_type === "ipo";

/** Summed response log-probs of many sequences under a model, in batches (no gradients). */
function sequenceLogprobsOf(model: GPT, examples: readonly TokenizedExample[], padId: number, batchSize: number, average: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < examples.length; i += batchSize) {
    const bt = toBatchTensors(examples.slice(i, i + batchSize), padId);
    const sums = sequenceLogprobSums(model, bt, { average });
    out.push(...Array.from(sums.dataSync()));
    sums.dispose();
    disposeBatchTensors(bt);
  }
  return out;
}

function preparePairs(pairs: readonly PairExample[], encode: Encode, cfg: DPOConfig): PreparedPair[] {
  return pairs.map((p) => ({
    chosen: encodeCut(encode, p.prompt, p.chosen, cfg.max_length),
    rejected: encodeCut(encode, p.prompt, p.rejected, cfg.max_length),
    refChosen: Number.NaN,
    refRejected: Number.NaN,
  }));
}

/**
 * Fills in the frozen reference's log-probs of pairs on first use and keeps them (TRL's precompute_ref_log_probs,
 * done lazily): later epochs skip the reference forward pass, and pairs a max_steps budget never reaches cost nothing.
 */
function ensureReference(reference: GPT, chunk: readonly PreparedPair[], padId: number, cfg: DPOConfig): void {
  const missing = chunk.filter((p) => Number.isNaN(p.refChosen));
  if (missing.length === 0) return;
  const sums = sequenceLogprobsOf(reference, [...missing.map((p) => p.chosen), ...missing.map((p) => p.rejected)], padId, 2 * cfg.batch_size, averagesLogprobs(cfg));
  missing.forEach((p, i) => {
    p.refChosen = sums[i]!;
    p.refRejected = sums[missing.length + i]!;
  });
}

/** Loss, mean implicit-reward margin and accuracy (chosen reward > rejected) on pairs, without gradients. */
export function evaluatePairs(policy: GPT, prepared: readonly PreparedPair[], padId: number, cfg: DPOConfig): { loss: number; margin: number; accuracy: number } {
  let loss = 0;
  let margin = 0;
  let correct = 0;
  for (let i = 0; i < prepared.length; i += cfg.batch_size) {
    const chunk = prepared.slice(i, i + cfg.batch_size);
    const out = dpoShardOutputs({ gpt: policy }, pairShard(chunk, padId, cfg));
    loss += out.loss.dataSync()[0]! * chunk.length;
    const c = out.chosenRewards.dataSync();
    const rj = out.rejectedRewards.dataSync();
    c.forEach((v, j) => {
      margin += v - rj[j]!;
      correct += v > rj[j]! ? 1 : 0;
    });
    tf.dispose([out.loss, out.chosenRewards, out.rejectedRewards]);
  }
  const n = Math.max(1, prepared.length);
  return { loss: loss / n, margin: margin / n, accuracy: correct / n };
}

/** A batch of pairs as a shard: the sequences and the reference's log-probs, with the loss settings. */
function pairShard(chunk: readonly PreparedPair[], padId: number, cfg: DPOConfig): DPOShard {
  return {
    chosen: chunk.map((p) => p.chosen),
    rejected: chunk.map((p) => p.rejected),
    refChosen: chunk.map((p) => p.refChosen),
    refRejected: chunk.map((p) => p.refRejected),
    padId,
    beta: cfg.beta,
    labelSmoothing: cfg.label_smoothing,
    lossType: cfg.loss_type,
    average: averagesLogprobs(cfg),
  };
}

/**
 * Splits a micro-batch of pairs over `parts` compute threads: contiguous pairs of about equal token counts, each
 * shard weighted by its share of the pairs (the loss is a mean over pairs). One pair stays one shard.
 */
function pairShards(chunk: readonly PreparedPair[], padId: number, cfg: DPOConfig, parts: number): ShardedBatch {
  const ranges = balancedRanges(chunk.map((p) => p.chosen.ids.length + p.rejected.ids.length), parts);
  return { shards: ranges.map(([a, b]) => pairShard(chunk.slice(a, b), padId, cfg)), weights: ranges.map(([a, b]) => (b - a) / chunk.length) };
}

export interface DPOTrainInput {
  policy: GPT;
  reference: GPT;
  encode: Encode;
  padId: number;
  pairs: readonly PairExample[];
  config: DPOConfig;
  ctx: RlContext;
  /**
   * Called once every pair's reference log-probs are computed (all of them, before the first step): the caller may
   * free the reference model then. At GPT-2 small that is 500 MB of the 4 GiB heap, which is what lets DPO fit.
   */
  releaseReference?: () => void;
  /**
   * The run's resumable checkpoints: restored from at the start, written every config.save_steps steps. The reference
   * log-probs are not saved: they are recomputed from the unchanged reference, to the same values.
   */
  resume?: ResumeStore;
  /** Compute threads for the gradients (main + workers); RLHF_WORKERS or one per core when absent. */
  threads?: number;
}

export interface DPOTrainResult {
  steps: number;
  trainPairs: number;
  eval: { loss: number; margin: number; accuracy: number } | null;
  lastMetrics: Record<string, number>;
}

/** Trains the policy in place with DPO; the reference stays frozen. */
export async function trainDPO(input: DPOTrainInput): Promise<DPOTrainResult> {
  const { policy, reference, encode, padId, ctx } = input;
  // Sequences never exceed the model's context, whatever max_length says.
  const cfg = { ...input.config, max_length: Math.min(input.config.max_length, policy.config.n_positions) };
  // Held-out pairs: the test split when there is one, else a seeded share of prompts (by prompt, never split).
  // A content order (not the database's random ids) makes a run repeatable from its seed.
  const pairs = [...input.pairs].sort((a, b) => JSON.stringify([a.prompt, a.chosen, a.rejected]).localeCompare(JSON.stringify([b.prompt, b.chosen, b.rejected])));
  let train = pairs.filter((p) => p.split !== "test");
  let heldOut = pairs.filter((p) => p.split === "test");
  if (heldOut.length === 0 && cfg.eval_holdout_fraction > 0) {
    const ids = [...new Set(pairs.map((p) => p.prompt))];
    const order = shuffledIndices(ids.length, mulberry32(cfg.seed ^ 0x7e57));
    const held = new Set(order.slice(0, Math.floor(ids.length * cfg.eval_holdout_fraction)).map((i) => ids[i]!));
    train = pairs.filter((p) => !held.has(p.prompt));
    heldOut = pairs.filter((p) => held.has(p.prompt));
  }
  if (train.length === 0) throw new Error("DPO needs preference pairs: import rankings (with at least two groups) first");
  ctx.log(`dpo: ${train.length} train pairs, ${heldOut.length} held-out pairs, ${cfg.loss_type} loss, β ${cfg.beta}`);
  const prepared = preparePairs(train, encode, cfg);
  const preparedHeld = preparePairs(heldOut, encode, cfg);
  // Every reference log-prob up front (the same forward passes as computing them lazily, batch by batch): the
  // reference is then no longer needed while the policy and its optimizer state take the memory.
  ensureReference(reference, preparedHeld, padId, cfg);
  ensureReference(reference, prepared, padId, cfg);
  input.releaseReference?.();
  applyGradientCheckpointing(policy, cfg.gradient_checkpointing, (l) => ctx.log(l));
  const dp = await DataParallel.start({ replicas: [{ gpt: policy }], loss: { module: new URL("./shard-losses.ts", import.meta.url).href, name: "dpoShardLoss" }, backend: tf.getBackend(), threads: input.threads, log: (l) => ctx.log(l) });
  const params = dp.params;
  const adam = new Adam(params, { lr: cfg.learning_rate, eps: cfg.adam_epsilon, weightDecay: cfg.weight_decay });
  const random = mulberry32(cfg.seed);
  // Each optimizer step takes gradient_accumulation_steps micro-batches of batch_size pairs.
  const perStep = cfg.batch_size * cfg.gradient_accumulation_steps;
  const epochSteps = Math.ceil(prepared.length / perStep);
  const totalSteps = cfg.max_steps > 0 ? Math.min(cfg.max_steps, epochSteps * cfg.num_train_epochs) : epochSteps * cfg.num_train_epochs;
  const schedule = { peakLr: cfg.learning_rate, totalSteps, warmupSteps: warmupSteps(totalSteps, cfg.warmup_ratio), type: cfg.lr_scheduler_type };
  let step = 0;
  let lastMetrics: Record<string, number> = {};
  let evalResult: DPOTrainResult["eval"] = null;
  try {
    // Policy, Adam, the pair cursor and the shuffle RNG as the last save left them (none: a fresh run).
    const data = train.map((p) => [p.prompt, p.chosen, p.rejected]);
    const cursor = new EpochCursor({ store: input.resume, saveSteps: cfg.save_steps, total: totalSteps, params, optimizers: { adam }, random, lora: policy.lora, data }, ctx);
    step = cursor.step;
    for (let epoch = cursor.epoch; epoch < cfg.num_train_epochs && step < totalSteps; epoch++) {
      const order = cursor.order(epoch, prepared.length);
      for (let i = cursor.first(epoch); i < order.length && step < totalSteps; i += perStep) {
        if (ctx.isCancelled()) throw new RunCancelled("DPO run was cancelled");
        const chunk = order.slice(i, i + perStep).map((j) => prepared[j]!);
        const micro = microBatches(chunk, cfg.batch_size);
        const { loss, grads, outputs } = await withAdapterDropoutAsync([policy.lora], () => dp.accumulatedGrads(micro.map((part) => pairShards(part, padId, cfg, dp.threads))));
        const clipped = clipByGlobalNorm(grads, cfg.max_grad_norm, { consume: true });
        const lr = learningRateAt(step, schedule);
        adam.step(clipped.grads, lr);
        step++;
        ctx.countTokens?.(chunk.reduce((n, p) => n + p.chosen.ids.length + p.rejected.ids.length, 0));
        const chosen = outputs.flat().flatMap((o) => o.chosen as number[]);
        const rejected = outputs.flat().flatMap((o) => o.rejected as number[]);
        const margins = chosen.map((c, j) => c - rejected[j]!);
        lastMetrics = {
          "train/loss": loss,
          "rewards/chosen": meanStd(chosen).mean,
          "rewards/rejected": meanStd(rejected).mean,
          "rewards/margins": meanStd(margins).mean,
          "rewards/accuracies": margins.filter((m) => m > 0).length / margins.length,
          "train/grad_norm": (await clipped.norm.data())[0]!,
          "train/lr": lr,
          epoch: epoch + Math.min(1, (i + perStep) / order.length),
        };
        ctx.reportMetrics(step, lastMetrics);
        tf.dispose([clipped.norm, ...grads.values(), ...clipped.grads.values()]);
        ctx.progress(step / totalSteps);
        await cursor.after(step, epoch, i + perStep);
      }
      if (preparedHeld.length) {
        evalResult = evaluatePairs(policy, preparedHeld, padId, cfg);
        ctx.reportMetrics(step, { "eval/loss": evalResult.loss, "eval/rewards/margins": evalResult.margin, "eval/rewards/accuracies": evalResult.accuracy, epoch: epoch + 1 });
        ctx.log(`epoch ${epoch + 1}/${cfg.num_train_epochs}: held-out loss ${evalResult.loss.toFixed(4)}, margin ${evalResult.margin.toFixed(4)}, accuracy ${evalResult.accuracy.toFixed(3)}`);
      }
    }
  } finally {
    await dp.close();
    adam.dispose();
  }
  return { steps: step, trainPairs: prepared.length, eval: evalResult, lastMetrics };
}
