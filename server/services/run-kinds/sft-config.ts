// SFTConfig: every setting of a supervised fine-tuning run, with its default and why (TRL's SFTConfig names, sized
// for the small CPU models this project trains by default).
import { z } from "zod";
import {
  adamEpsilon, batchSize, evalHoldoutFraction, gradientAccumulationSteps, gradientCheckpointing, learningRate, loraFields, lrSchedulerType, maxGradNorm, maxLength, maxSteps, project, saveSteps, seed, warmupRatio, weightDecay,
} from "./config-schema";

export const sftConfig = z
  .object({
    learning_rate: learningRate(1e-4, "small models fine-tune stably here; larger rates overwrite the base model's fluency"),
    batch_size: batchSize(8, "fits CPU memory for the built-in model at full length and keeps steps under a second"),
    gradient_accumulation_steps: gradientAccumulationSteps(),
    gradient_checkpointing: gradientCheckpointing(),
    num_train_epochs: z.number().positive().max(10_000).default(3).describe("demonstration sets are small; a few passes fit them without memorising"),
    max_steps: maxSteps(0, "> 0 overrides epochs: an exact step budget for quick or scripted runs"),
    warmup_ratio: warmupRatio(0.1, "linear warmup over the first 10% of steps keeps Adam's early, noisy updates small"),
    lr_scheduler_type: lrSchedulerType("cosine", "cosine decay after warmup, as TRL/HF default to for fine-tuning"),
    min_lr_ratio: z.number().min(0).max(1).default(0).describe("cosine ends at this fraction of the peak rate (HF's schedule ends at 0)"),
    max_grad_norm: maxGradNorm(1.0, "clip the global gradient norm: one odd batch cannot wreck the policy"),
    adam_beta1: z.number().min(0).max(0.999999).default(0.9).describe("PyTorch/HF default momentum"),
    adam_beta2: z.number().min(0).max(0.999999).default(0.999).describe("PyTorch/HF default second-moment decay"),
    adam_epsilon: adamEpsilon(1e-5, "larger than 1e-8 so tiny second moments do not blow up updates (PPO implementation details)"),
    weight_decay: weightDecay(0, "HF's default: decay is a weak regulariser for short fine-tunes and only slows fitting"),
    eval_steps: z.int().min(1).default(50).describe("eval loss every N optimizer steps (and at the end) to pick the best checkpoint"),
    eval_batch_size: batchSize(16, "eval needs no gradients, so larger batches are cheap"),
    eval_holdout_fraction: evalHoldoutFraction(0.1, "when the test split is empty, hold out this slice of the train split for eval", 0.5),
    max_length: maxLength(512, "tokens per example (prompt + response); capped at the model's context, longer tails are cut"),
    group_by_length: z.boolean().default(false).describe("batch similar lengths together: much less padding, slightly less random batches"),
    seed: seed(42, "fixes data order and the held-out slice, so a run is reproducible"),
    logging_steps: z.int().min(1).default(1).describe("train/loss, train/lr and train/grad_norm every N steps"),
    save_steps: saveSteps(50, "a resumable checkpoint every 50 steps (weights or adapters, optimizer, best eval so far): a killed worker loses at most 50 steps, and a save of the built-in model costs milliseconds"),
    load_best_model_at_end: z.boolean().default(true).describe("keep the weights with the lowest eval loss, not merely the last ones"),
    project: project("train on one project's demonstrations (name or id); empty = every project"),
    ...loraFields(),
  })
  .strict();

export type SFTConfig = z.output<typeof sftConfig>;
