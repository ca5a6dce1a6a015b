// The settings GRPO and RLOO share (TRL's GRPOConfig / RLOOConfig names): K samples per prompt scored by a frozen
// RM, the group as the baseline, no critic. Each kind adds its own fields and defaults in <kind>-config.ts.
import { z } from "zod";
import { adamEpsilon, adaptiveKl, gradientAccumulationSteps, klHorizon, learningRate, lrSchedulerType, maxGradNorm, project, saveSteps, seed, targetKl, warmupRatio } from "./config-schema";

/** Fields both group trainers take, with one default and reason each; the KL and advantage fields differ per kind. */
export function groupRolloutFields(kind: "grpo" | "rloo") {
  return {
    max_steps: z.int().min(1).default(28).describe("rollout iterations: each samples batch_size completions, scores them and trains on them; 28 as PPO; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    num_generations: z
      .int()
      .min(2)
      .max(64)
      .default(4)
      .describe(
        kind === "grpo"
          ? "K completions per prompt, the group whose mean (and std) is the baseline: 4 matches the K of the ranking loop; TRL's 8 doubles sampling on a 2-core CPU"
          : "K completions per prompt; each is compared with the mean of the other K−1: 4 rather than TRL's 2, whose one-sample baseline is too noisy for a small RM",
      ),
    batch_size: z.int().min(2).max(4096).default(32).describe("completions per rollout (batch_size / num_generations prompts), a multiple of num_generations as TRL requires; 32 costs about what a PPO rollout does"),
    steps_per_generation: z.int().min(1).max(64).default(4).describe("optimizer steps per rollout, each on an equal slice of it (two prompts' groups): sampling is the CPU's main cost, so each rollout is used four times, as PPO's minibatches (TRL's steps_per_generation; the clip keeps later steps near the rollout policy); chosen on the nine-judge proof suite, BENCHMARKS.md"),
    gradient_accumulation_steps: gradientAccumulationSteps(1, "micro-batches each optimizer step's slice is split into, their gradients summed into one update (TRL's name): the step of batch_size / steps_per_generation completions in the memory of a micro-batch"),
    num_iterations: z.int().min(1).max(16).default(1).describe("passes over each rollout (TRL's μ): 1 as TRL, so the policy never trains far from the one that sampled"),
    max_completion_length: z.int().min(1).default(48).describe("new tokens per completion (as PPO's response_length); the sampler stops earlier at EOS"),
    temperature: z.number().positive().default(1.0).describe("TRL's default: sample from the policy itself, and score tokens at the same temperature so the first ratio is exactly 1"),
    epsilon: z.number().positive().max(1).default(0.2).describe("the clip ε of PPO, TRL's default"),
    learning_rate:
      kind === "grpo"
        ? learningRate(5e-4, "advantages are not divided by the group's std (scale_rewards none), so steps are smaller than TRL's scaled ones and the rate is higher; at 4e-4 vowels reached 1.17 std and band 1.01, at 6e-4 band fell to 0.92 and polite reached 6.0 nats (one run each: the suite's noise is ±0.14 std); TRL's 1e-6 is for billion-parameter models; chosen on the nine-judge proof suite, BENCHMARKS.md")
        : learningRate(4e-4, "at 3e-4 vowels stopped at 0.88 std (1.6 nats), at 4e-4 it reached 1.01 with every other judge under 5 nats; four steps a rollout on a small policy take this rate; TRL's 1e-6 is for billion-parameter models; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    lr_scheduler_type: lrSchedulerType("linear", "HF Trainer's default, which TRL's trainers inherit: the rate decays to 0 at max_steps"),
    warmup_ratio: warmupRatio(0, "HF's default"),
    adam_epsilon: adamEpsilon(1e-5, "N implementation details #1: steadier than 1e-8 on noisy policy-gradient steps"),
    max_grad_norm: maxGradNorm(1.0, "TRL's default: one outlier advantage cannot blow up an update"),
    adaptive_kl: adaptiveKl(true, "PPO's controller on beta (Ziegler et al.): after each rollout beta moves toward target_kl, so a strong RM is held back and a weak one let go; a fixed beta at the 3e-4 rate crossed 6 nats on three judges of the suite and stayed short on others; false keeps beta fixed, as TRL; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    target_kl:
      kind === "grpo"
        ? targetKl(3, "mean KL to the reference per completion (nats, on each rollout) the controller aims for, as PPO's; the controller lags, so the KL overshoots it, and held-out KL runs ~1.3× the last rollout's: at 3.5 GRPO ended the suite's lively judge at 6.1 and 7.1 nats held out in two runs (rollouts at 6–7 nats while β climbed back from 0.09); at 3 every judge stayed under 5 nats and the band reached 0.98 std; chosen on the nine-judge proof suite, BENCHMARKS.md")
        : targetKl(3.5, "mean KL to the reference per completion (nats, on each rollout) the controller aims for; the controller lags, so the KL overshoots it, and held-out KL runs ~1.3× the last rollout's: at 3.5 every judge of the suite ended at 2.3–5.4 nats; at 3 (PPO's) the band fell to 0.95 std; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    kl_horizon: klHorizon(64, "completions over which the controller moves beta by up to ±20%: ±10% per 32-completion rollout, so beta can move 10× either way within 28 rollouts; as PPO"),
    missing_eos_penalty: z.number().min(0).default(1.0).describe("subtracted from the score when no EOS was produced, as PPO here and TRL's RLOO: rambling never pays"),
    reward_scale: z.number().default(1).describe("multiplies RM scores; 0 is the control run where only the KL term acts"),
    seed: seed(0, "prompt order and sampling"),
    save_steps: saveSteps(5, "a resumable checkpoint every 5 rollout iterations (policy, optimizer, KL state, prompt cursor, RNG): an iteration costs seconds to minutes, a save of the built-in model well under one"),
    project: project("roll out on one project's train prompts (name or id); empty = every project"),
  };
}

/** TRL's rule, as a one-line config error: the rollout holds whole groups, and each optimizer step whole groups too. */
export function checkGroupBatch(c: { batch_size: number; num_generations: number; steps_per_generation: number; gradient_accumulation_steps: number }): string | null {
  if (c.batch_size % c.num_generations !== 0)
    return `batch_size (${c.batch_size}) must be a multiple of num_generations (${c.num_generations}): each prompt's group of completions stays whole`;
  if (c.batch_size % c.steps_per_generation !== 0)
    return `batch_size (${c.batch_size}) must be a multiple of steps_per_generation (${c.steps_per_generation}): every optimizer step gets an equal slice`;
  const slice = c.batch_size / c.steps_per_generation;
  if (slice % c.gradient_accumulation_steps !== 0)
    return `batch_size / steps_per_generation (${slice}) must be a multiple of gradient_accumulation_steps (${c.gradient_accumulation_steps}): each micro-batch holds an equal share of a step`;
  return null;
}
