// The SFT training loop: seeded batches, response-only loss, warmup + cosine LR, global-norm clipping, Adam(ε=1e-5),
// periodic eval on held-out demonstrations, the best weights kept, and optional resumable checkpoints.
import * as tf from "@tensorflow/tfjs";
import { batchesPerEpoch, epochBatches, inOrderBatches } from "../data/loader";
import type { Batch, TokenizedExample } from "../data/collate";
import { Adam, clipByGlobalNorm } from "../model/adam";
import { DataParallel } from "../model/data-parallel";
import type { GPT } from "../model/gpt";
import { withAdapterDropoutAsync } from "../model/lora";
import { RunCancelledError, RunInputError } from "../runs/errors";
import type { SFTConfig } from "../../server/services/run-kinds/sft-config";
import { batchTokenLogprobs, sftShards } from "./loss";
import { learningRateAt, warmupSteps } from "../model/schedule";
import { applyGradientCheckpointing } from "../model/recompute";
import { saveDue, type ResumeStore } from "../checkpoint/resume";

/** What the loop reports to and asks of its caller (the run framework's context satisfies this). */
export interface TrainHooks {
  log(message: string): void;
  reportMetrics(step: number, metrics: Record<string, number>): void;
  progress(fraction: number, metrics?: Record<string, number>): void;
  isCancelled(): boolean;
  /** Tokens trained on, for the run's perf/tokens_per_s (the run context counts them). */
  countTokens?(tokens: number): void;
}

export interface SFTTrainInput {
  model: GPT;
  config: SFTConfig;
  train: TokenizedExample[];
  eval: TokenizedExample[];
  padId: number;
  hooks: TrainHooks;
  /**
   * The run's resumable checkpoints: weights (or adapters), Adam, the best eval so far with its weights and the adapter
   * dropout seeds, restored from at the start and written every config.save_steps steps. The batch order needs no
   * state: it is a function of the seed and the step.
   */
  resume?: ResumeStore;
  /** Compute threads for the gradients (main + workers); RLHF_WORKERS or one per core when absent. */
  threads?: number;
}

export interface SFTTrainResult {
  steps: number;
  bestStep: number | null;
  bestEvalLoss: number | null;
  finalTrainLoss: number | null;
  finalEvalLoss: number | null;
  /** The optimizer after the last step; the caller saves its state with the checkpoint and disposes it. */
  adam: Adam;
}

/**
 * Total optimizer steps for a dataset size: max_steps when set, else epochs × batches per epoch divided by the
 * micro-batches each step accumulates.
 */
export function totalSteps(config: SFTConfig, trainCount: number): number {
  if (config.max_steps > 0) return config.max_steps;
  return Math.max(1, Math.ceil((config.num_train_epochs * batchesPerEpoch(trainCount, config.batch_size)) / config.gradient_accumulation_steps));
}

/** Mean NLL per response token over every eval example (token-weighted, not a mean of batch means). */
export async function evalLoss(model: GPT, examples: TokenizedExample[], batchSize: number, padId: number): Promise<number> {
  let nll = 0;
  let tokens = 0;
  for (const batch of inOrderBatches(examples, { batchSize, padId })) {
    const sum = tf.tidy(() => {
      const lp = batchTokenLogprobs(model, batch);
      return tf.neg(tf.sum(tf.mul(lp, tf.tensor2d(batch.lossMask, [batch.batchSize, batch.seqLen]))));
    });
    nll += (await sum.data())[0]!;
    sum.dispose();
    tokens += batch.responseTokens;
  }
  return tokens > 0 ? nll / tokens : NaN;
}

/** Micro-batches in training order from the `start`-th on, cycling epochs (max_steps may exceed one epoch). */
function* trainingBatches(train: TokenizedExample[], config: SFTConfig, padId: number, start: number): Generator<Batch> {
  const perEpoch = batchesPerEpoch(train.length, config.batch_size);
  let step = 0;
  for (let epoch = 0; ; epoch++) {
    if (step + perEpoch <= start) {
      step += perEpoch; // skip whole epochs of a resumed run without collating them
      continue;
    }
    const opts = { batchSize: config.batch_size, padId, seed: config.seed, groupByLength: config.group_by_length };
    for (const batch of epochBatches(train, epoch, opts)) {
      if (step++ >= start) yield batch;
    }
  }
}

/** What a resumable SFT checkpoint keeps beside the weights, Adam and the best weights. */
interface SFTResumeState {
  best_eval_loss: number | null;
  best_step: number | null;
  final_eval_loss: number | null;
  lora_dropout_calls: number;
}

/** Copies of the model's weights (the best checkpoint so far), swapped in at the end. */
function snapshot(model: GPT, previous: Map<string, tf.Tensor> | null): Map<string, tf.Tensor> {
  if (previous) tf.dispose([...previous.values()]);
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of model.trainableParams()) out.set(name, tf.clone(v));
  return out;
}

/** Runs SFT on `model` in place. With load_best_model_at_end, the model ends holding its best-eval weights. */
export async function trainSFT(input: SFTTrainInput): Promise<SFTTrainResult> {
  const { model, config, train, padId, hooks } = input;
  if (train.length === 0) throw new RunInputError("no training examples: add demonstrations first");
  applyGradientCheckpointing(model, config.gradient_checkpointing, (l) => hooks.log(l));
  const total = totalSteps(config, train.length);
  const schedule = {
    peakLr: config.learning_rate,
    totalSteps: total,
    warmupSteps: warmupSteps(total, config.warmup_ratio),
    type: config.lr_scheduler_type,
    minLrRatio: config.min_lr_ratio,
  };
  const adam = new Adam(model.trainableParams(), {
    lr: config.learning_rate,
    beta1: config.adam_beta1,
    beta2: config.adam_beta2,
    eps: config.adam_epsilon,
    weightDecay: config.weight_decay,
  });
  let best: Map<string, tf.Tensor> | null = null;
  let bestEvalLoss: number | null = null;
  let bestStep: number | null = null;
  let finalTrainLoss: number | null = null;
  let finalEvalLoss: number | null = null;
  let dp: DataParallel | null = null;
  try {
    dp = await DataParallel.start({ replicas: [{ gpt: model }], loss: { module: new URL("./loss.ts", import.meta.url).href, name: "sftShardLoss" }, backend: tf.getBackend(), threads: input.threads, log: (l) => hooks.log(l) });
    const saved = input.resume?.restore<SFTResumeState>({ params: model.trainableParams(), optimizers: { adam } });
    const start = saved?.step ?? 0;
    if (saved) {
      ({ best_eval_loss: bestEvalLoss, best_step: bestStep, final_eval_loss: finalEvalLoss } = saved.state);
      if (model.lora) model.lora.dropoutCalls = saved.state.lora_dropout_calls;
      if (saved.tensors.size > 0) best = saved.tensors;
      hooks.log(`resuming at step ${start} of ${total}`);
    }
    hooks.log(`sft: ${train.length} train / ${input.eval.length} eval examples, ${total} steps, batch ${config.batch_size}${config.gradient_accumulation_steps > 1 ? ` × ${config.gradient_accumulation_steps} accumulated` : ""}`);

    const runEval = async (step: number) => {
      if (input.eval.length === 0) return;
      const loss = await evalLoss(model, input.eval, config.eval_batch_size, padId);
      finalEvalLoss = loss;
      hooks.reportMetrics(step, { "eval/loss": loss });
      if (bestEvalLoss === null || loss < bestEvalLoss) {
        bestEvalLoss = loss;
        bestStep = step;
        if (config.load_best_model_at_end) best = snapshot(model, best);
      }
    };

    const micro = config.gradient_accumulation_steps;
    const batches = trainingBatches(train, config, padId, start * micro);
    for (let step = start; step < total; step++) {
      if (hooks.isCancelled()) throw new RunCancelledError();
      const microBatches = Array.from({ length: micro }, () => batches.next().value as Batch);
      const lr = learningRateAt(step, schedule);
      const parallel = dp;
      const { loss, grads } = await withAdapterDropoutAsync([model.lora], () => parallel.accumulatedGrads(microBatches.map((b) => sftShards(b, parallel.threads))));
      const clipped = clipByGlobalNorm(grads, config.max_grad_norm, { consume: true });
      adam.step(clipped.grads, lr);
      hooks.countTokens?.(microBatches.reduce((n, b) => n + b.attentionMask.reduce((a, m) => a + m, 0), 0));
      const normValue = await clipped.norm.data();
      tf.dispose([clipped.norm, ...grads.values(), ...clipped.grads.values()]);
      const done = step + 1;
      finalTrainLoss = loss;
      const metrics = { "train/loss": finalTrainLoss, "train/lr": lr, "train/grad_norm": normValue[0]! };
      if (done % config.logging_steps === 0 || done === total) hooks.reportMetrics(done, metrics);
      if (done % config.eval_steps === 0 || done === total) await runEval(done);
      if (input.resume && saveDue(config.save_steps, done, total)) {
        const state: SFTResumeState = { best_eval_loss: bestEvalLoss, best_step: bestStep, final_eval_loss: finalEvalLoss, lora_dropout_calls: model.lora?.dropoutCalls ?? 0 };
        await input.resume.save(done, { params: model.trainableParams(), optimizers: { adam }, tensors: best ?? undefined, state });
      }
      const shown: Record<string, number> = { "train/loss": finalTrainLoss };
      if (finalEvalLoss !== null) shown["eval/loss"] = finalEvalLoss;
      hooks.progress(done / total, shown);
    }
    if (best && bestStep !== total) {
      for (const [name, t] of best as Map<string, tf.Tensor>) model.trainableParams().get(name)!.assign(t);
      hooks.log(`kept the best checkpoint: step ${bestStep} (eval/loss ${(bestEvalLoss as number | null)?.toFixed(4)})`);
    }
    return { steps: total, bestStep, bestEvalLoss, finalTrainLoss, finalEvalLoss, adam };
  } catch (err) {
    adam.dispose();
    throw err;
  } finally {
    await dp?.close();
    if (best) tf.dispose([...(best as Map<string, tf.Tensor>).values()]);
  }
}
