// DPOConfig: every DPO setting with its default and the reason for it (TRL's DPOConfig names).
import { z } from "zod";
import {
  adamEpsilon, batchSize, evalHoldoutFraction, gradientAccumulationSteps, gradientCheckpointing, learningRate, loraFields, lrSchedulerType, maxGradNorm, maxLength, maxSteps, numTrainEpochs, project, saveSteps, seed, warmupRatio, weightDecay,
} from "./config-schema";

/** TRL's DPO loss types: the DPO paper's sigmoid, IPO (Azar et al.) and SLiC's hinge. */
export const DPO_LOSS_TYPES = ["sigmoid", "ipo", "hinge"] as const;
export type DpoLossType = (typeof DPO_LOSS_TYPES)[number];

export const dpoConfig = z
  .object({
    beta: z.number().positive().default(0.25).describe("how far the policy may drift from the reference per unit of margin: the loss saturates once β·margin is large, so a larger β stops the easy preferences sooner; with the constant rate, TRL's 0.1 let two judges of the suite pass 6 nats (lively 7.0, list 7.4) and 0.2 one (list 6.05); chosen on the nine-judge proof suite, BENCHMARKS.md"),
    loss_type: z.enum(DPO_LOSS_TYPES).default("sigmoid").describe("TRL's default, the DPO paper's loss; ipo regresses the margin to 1/(2β), hinge is SLiC's max(0, 1 − β·margin)"),
    label_smoothing: z.number().min(0).max(0.5).default(0).describe("plain sigmoid loss; > 0 is conservative DPO for noisy labels"),
    num_train_epochs: numTrainEpochs(1, "TRL's default; max_steps ends the run first on ~2,000 pairs"),
    max_steps: maxSteps(64, "a fixed budget of 512 pairs (TRL's max_steps; 0 runs every epoch): on the small built-in policy more steps drift further from the reference than the preference needs; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    batch_size: batchSize(8, "pairs per step (16 sequences through the policy)"),
    gradient_accumulation_steps: gradientAccumulationSteps(),
    gradient_checkpointing: gradientCheckpointing(),
    learning_rate: learningRate(3e-4, "at 1e-4 the 64 steps moved the word-level base 0.35 std within 0.2 nats; the small built-in policies take this rate; TRL's 1e-6 is for billion-parameter models; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    lr_scheduler_type: lrSchedulerType("constant", "not HF's linear decay: 64 steps at a decaying rate moved vowels 0.38 and food 0.65 std (target 0.7); at a constant rate 0.75 and 0.70; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    warmup_ratio: warmupRatio(0, "HF's default"),
    adam_epsilon: adamEpsilon(1e-8, "Adam's usual epsilon"),
    weight_decay: weightDecay(0, "stay close to the reference; decay would pull weights elsewhere"),
    max_grad_norm: maxGradNorm(1.0, "TRL's default"),
    max_length: maxLength(256, "tokens per prompt+response; longer responses lose their tail"),
    eval_holdout_fraction: evalHoldoutFraction(0.1, "held-out share of prompts when the data has no test split"),
    seed: seed(0, "pair order and the held-out split"),
    save_steps: saveSteps(50, "a resumable checkpoint every 50 steps (policy, optimizer, pair cursor, shuffle state; the reference log-probs are recomputed): a killed worker loses at most 50 steps"),
    project: project("train on one project's ranking pairs (name or id); empty = every project"),
    ...loraFields(),
  })
  .strict()
  .refine((c) => c.label_smoothing === 0 || c.loss_type === "sigmoid", {
    error: "label_smoothing applies to the sigmoid loss only (conservative DPO); set it to 0 for ipo or hinge",
  });

export type DPOConfig = z.output<typeof dpoConfig>;
