// SFTConfig: every field of a supervised fine-tuning run, with its default and why (TRL's SFTConfig habits, sized
// for the small CPU models this project trains). A run's --config JSON overrides any subset; unknown keys fail.
import { parseConfig, type FieldSpec } from "../rl/config";

export interface SFTConfig extends Record<string, unknown> {
  learning_rate: number;
  batch_size: number;
  num_train_epochs: number;
  max_steps: number;
  warmup_ratio: number;
  lr_scheduler_type: "cosine" | "linear" | "constant";
  min_lr_ratio: number;
  max_grad_norm: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  weight_decay: number;
  eval_steps: number;
  eval_batch_size: number;
  eval_holdout_fraction: number;
  max_length: number;
  group_by_length: boolean;
  seed: number;
  logging_steps: number;
  save_steps: number;
  load_best_model_at_end: boolean;
  project: string;
}

export const SFT_DEFAULTS: SFTConfig = {
  learning_rate: 1e-4, // small models fine-tune stably here; larger rates overwrite the base model's fluency
  batch_size: 8, // fits CPU memory for the built-in model at full length and keeps steps under a second
  num_train_epochs: 3, // demonstration sets are small; a few passes fit them without memorising
  max_steps: 0, // > 0 overrides epochs: an exact step budget for quick or scripted runs
  warmup_ratio: 0.1, // linear warmup over the first 10% of steps keeps Adam's early, noisy updates small
  lr_scheduler_type: "cosine", // cosine decay after warmup, as TRL/HF default to for fine-tuning
  min_lr_ratio: 0, // cosine ends at this fraction of the peak rate (HF's schedule ends at 0)
  max_grad_norm: 1.0, // clip the global gradient norm: one odd batch cannot wreck the policy
  adam_beta1: 0.9, // PyTorch/HF default momentum
  adam_beta2: 0.999, // PyTorch/HF default second-moment decay
  adam_epsilon: 1e-5, // larger than 1e-8 so tiny second moments do not blow up updates (PPO implementation details)
  weight_decay: 0.0, // HF's default: decay is a weak regulariser for short fine-tunes and only slows fitting
  eval_steps: 50, // eval loss every N optimizer steps (and at the end) to pick the best checkpoint
  eval_batch_size: 16, // eval needs no gradients, so larger batches are cheap
  eval_holdout_fraction: 0.1, // when the test split is empty, hold out this slice of the train split for eval
  max_length: 512, // tokens per example (prompt + response); capped at the model's context, longer tails are cut
  group_by_length: false, // batch similar lengths together: much less padding, slightly less random batches
  seed: 42, // fixes data order and the held-out slice, so a run is reproducible
  logging_steps: 1, // train/loss, train/lr and train/grad_norm every N steps
  save_steps: 0, // > 0 saves a resumable checkpoint (weights + optimizer) every N steps; a restarted run continues
  load_best_model_at_end: true, // keep the weights with the lowest eval loss, not merely the last ones
  project: "", // train on one project's demonstrations (name or id); empty = every project
};

const SPEC: { [K in keyof SFTConfig]: FieldSpec } = {
  learning_rate: { type: "number", above: 0, max: 1 },
  batch_size: { type: "integer", min: 1, max: 4096 },
  num_train_epochs: { type: "number", above: 0, max: 10_000 },
  max_steps: { type: "integer", min: 0 },
  warmup_ratio: { type: "number", min: 0, max: 1 },
  lr_scheduler_type: { type: "string", choices: ["cosine", "linear", "constant"] },
  min_lr_ratio: { type: "number", min: 0, max: 1 },
  max_grad_norm: { type: "number", above: 0 },
  adam_beta1: { type: "number", min: 0, max: 0.999999 },
  adam_beta2: { type: "number", min: 0, max: 0.999999 },
  adam_epsilon: { type: "number", above: 0, max: 1 },
  weight_decay: { type: "number", min: 0, max: 1 },
  eval_steps: { type: "integer", min: 1 },
  eval_batch_size: { type: "integer", min: 1, max: 4096 },
  eval_holdout_fraction: { type: "number", min: 0, max: 0.5 },
  max_length: { type: "integer", min: 2 },
  group_by_length: { type: "boolean" },
  seed: { type: "integer", min: 0 },
  logging_steps: { type: "integer", min: 1 },
  save_steps: { type: "integer", min: 0 },
  load_best_model_at_end: { type: "boolean" },
  project: { type: "string" },
};

/** The defaults merged with a user's JSON object; throws a one-line ConfigError on unknown keys or bad values. */
export function parseSFTConfig(input: unknown): SFTConfig {
  return parseConfig("sft config", SFT_DEFAULTS, SPEC, input);
}
