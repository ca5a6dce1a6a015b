// RewardConfig: every reward-model training setting with its default and the reason for it (TRL's RewardConfig
// names; the defaults are sized for the small built-in models this project ships, chosen on the proof's judge suite).
import { z } from "zod";
import {
  adamEpsilon, batchSize, evalHoldoutFraction, gradientAccumulationSteps, gradientCheckpointing, learningRate, loraFields, lrSchedulerType, maxGradNorm, maxLength, maxSteps, numTrainEpochs, project, saveSteps, seed, warmupRatio, weightDecay,
} from "./config-schema";

export const rewardConfig = z
  .object({
    num_train_epochs: numTrainEpochs(3, "InstructGPT trains one epoch on big data; ~350 rankings need three passes, and load_best_model_at_end keeps the best epoch if the last overfits; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    max_steps: maxSteps(0, "> 0 stops after this many steps whatever the epochs say (TRL's max_steps): a fixed compute budget"),
    batch_size: batchSize(4, "rankings per step (24 pairs at K=4): ~350 rankings give ~90 updates an epoch; at 8 the default run gave 0.69 held-out accuracy; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    gradient_accumulation_steps: gradientAccumulationSteps(),
    gradient_checkpointing: gradientCheckpointing(),
    learning_rate: learningRate(6e-4, "small built-in models learn a fresh head at this rate (1e-4 gave 0.69 held-out accuracy on a new judge); 1e-5 (TRL) is for billion-parameter RMs; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    lr_scheduler_type: lrSchedulerType(
      "linear",
      "HF Trainer's default, which TRL's RewardTrainer inherits: at a constant rate held-out accuracy swung between epochs; decaying to 0 lets the last epoch settle",
    ),
    warmup_ratio: warmupRatio(0, "HF's default; the head starts small (N(0, 1/√(D+1))), so the first steps cannot blow up"),
    weight_decay: weightDecay(0, "the backbone starts from a trained policy; decay would pull it toward zero for no gain"),
    adam_epsilon: adamEpsilon(1e-8, "Adam's usual epsilon; the 1e-5 trick is for PPO's noisy gradients"),
    max_grad_norm: maxGradNorm(1.0, "TRL's default: one bad batch cannot blow up the head"),
    max_length: maxLength(256, "tokens per prompt+response; longer responses lose their tail"),
    min_completions: z.int().min(2).default(2).describe("rankings with fewer completions give no pair; K < 2 is meaningless"),
    eval_holdout_fraction: evalHoldoutFraction(0.1, "held-out share of prompts when the data has no test split"),
    load_best_model_at_end: z
      .boolean()
      .default(true)
      .describe("evaluate held-out pairwise accuracy every epoch and keep the best epoch's weights (HF's name): a small ranking set can overfit in the last epoch"),
    normalize: z.boolean().default(true).describe("mean 0 / std 1 on reference samples, so the policy trainers' β means the same for every RM"),
    normalize_samples: z.int().min(2).default(64).describe("reference-policy samples used to estimate that mean and std"),
    seed: seed(0, "data order, held-out split and normalisation samples"),
    save_steps: saveSteps(50, "a resumable checkpoint every 50 steps (model, head, optimizer, epoch cursor, shuffle state, best epoch so far): a killed worker loses at most 50 steps, and a save of the built-in model costs milliseconds"),
    project: project("train on one project's rankings (name or id); empty = every project"),
    ...loraFields(),
  })
  .strict();

export type RewardConfig = z.output<typeof rewardConfig>;
