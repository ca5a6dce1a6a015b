// What the new-run form knows about each run kind: a label, a small default config and the keys the trainer accepts.
// The key lists mirror trainer/sft/config.ts and trainer/rl/*-config.ts (the web app may not import the trainer);
// the worker checks the config for real and fails the run with a one-line error on an unknown key.

export const RUN_KINDS = ["sft", "reward", "ppo", "dpo"] as const;
export type WebRunKind = (typeof RUN_KINDS)[number];

export const KIND_LABELS: Record<WebRunKind, string> = {
  sft: "SFT (demonstrations)",
  reward: "Reward model (rankings)",
  ppo: "PPO (policy vs reward model)",
  dpo: "DPO (rankings as pairs)",
};

/** Short enough to finish in a few minutes on a 2-core CPU with the built-in model. */
export const DEFAULT_CONFIGS: Record<WebRunKind, Record<string, unknown>> = {
  sft: { max_steps: 60, batch_size: 8, learning_rate: 0.0001, eval_steps: 10 },
  reward: { epochs: 2, batch_size: 8, lr: 0.0001 },
  ppo: { iterations: 10, batch_size: 16, mini_batch_size: 4, kl_coef: 0.05, response_length: 32 },
  dpo: { epochs: 1, batch_size: 8, beta: 0.1 },
};

export const CONFIG_KEYS: Record<WebRunKind, string[]> = {
  sft: [
    "learning_rate", "batch_size", "num_train_epochs", "max_steps", "warmup_ratio", "lr_scheduler_type", "min_lr_ratio",
    "max_grad_norm", "adam_beta1", "adam_beta2", "adam_epsilon", "weight_decay", "eval_steps", "eval_batch_size",
    "eval_holdout_fraction", "max_length", "group_by_length", "seed", "logging_steps", "save_steps", "load_best_model_at_end", "project",
  ],
  reward: ["epochs", "batch_size", "lr", "weight_decay", "adam_eps", "max_grad_norm", "max_length", "min_completions", "eval_fraction", "normalize", "normalize_samples", "seed"],
  ppo: [
    "iterations", "batch_size", "mini_batch_size", "ppo_epochs", "lr", "adam_eps", "max_grad_norm", "cliprange", "cliprange_value", "vf_coef",
    "ent_coef", "gamma", "lam", "kl_coef", "adaptive_kl", "target_kl", "kl_horizon", "kl_estimator", "missing_eos_penalty", "reward_scale",
    "whiten_rewards", "response_length", "temperature", "value_model", "seed",
  ],
  dpo: ["beta", "label_smoothing", "epochs", "batch_size", "lr", "adam_eps", "weight_decay", "max_grad_norm", "max_length", "eval_fraction", "seed"],
};

export function isWebRunKind(v: unknown): v is WebRunKind {
  return typeof v === "string" && (RUN_KINDS as readonly string[]).includes(v);
}
