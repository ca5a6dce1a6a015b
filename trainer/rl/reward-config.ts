// RewardConfig: every reward-model training setting with its default and the reason for it. No tfjs here, so a
// run can be validated and queued without loading TensorFlow.js.
import { parseConfig, type FieldSpec } from "./config";

export interface RewardConfig extends Record<string, unknown> {
  epochs: number;
  batch_size: number;
  lr: number;
  lr_scheduler_type: "linear" | "cosine" | "constant";
  warmup_ratio: number;
  weight_decay: number;
  adam_eps: number;
  max_grad_norm: number;
  max_length: number;
  min_completions: number;
  eval_fraction: number;
  normalize: boolean;
  normalize_samples: number;
  seed: number;
}

export const REWARD_DEFAULTS: RewardConfig = {
  epochs: 2, // InstructGPT trains one epoch on big data; the small datasets here need a second pass, more overfits
  batch_size: 8, // rankings per step; each brings all its C(K,2) pairs, so 8 rankings of K=4 are 48 pairs
  lr: 1e-4, // small byte-level models learn a head on a fresh task this fast; 1e-5 (TRL) is for billion-parameter RMs
  // HF Trainer's default, which TRL's RewardTrainer inherits. At a constant rate the proof's held-out accuracy
  // swung between epochs (0.90 → 0.86); decaying to 0 lets the last epoch settle.
  lr_scheduler_type: "linear",
  warmup_ratio: 0, // HF's default; the head starts small (N(0, 1/√(D+1))), so the first steps cannot blow up
  weight_decay: 0, // the backbone starts from a trained policy; decay would pull it toward zero for no gain
  adam_eps: 1e-8, // Adam's usual epsilon; the 1e-5 trick is for PPO's noisy gradients
  max_grad_norm: 1.0, // TRL's default: one bad batch cannot blow up the head
  max_length: 256, // tokens per prompt+response; longer responses lose their tail
  min_completions: 2, // rankings with fewer completions give no pair; K < 2 is meaningless
  eval_fraction: 0.1, // held-out share of prompts when the data has no test split
  normalize: true, // mean 0 / std 1 on reference samples, so PPO's KL coefficient means the same for every RM
  normalize_samples: 64, // reference-policy samples used to estimate that mean and std
  seed: 0, // data order, held-out split and normalisation samples
};

const REWARD_SPEC: { [K in keyof RewardConfig]: FieldSpec } = {
  epochs: { type: "integer", min: 1 },
  batch_size: { type: "integer", min: 1 },
  lr: { type: "number", above: 0 },
  lr_scheduler_type: { type: "string", choices: ["linear", "cosine", "constant"] },
  warmup_ratio: { type: "number", min: 0, max: 1 },
  weight_decay: { type: "number", min: 0 },
  adam_eps: { type: "number", above: 0 },
  max_grad_norm: { type: "number", above: 0 },
  max_length: { type: "integer", min: 2 },
  min_completions: { type: "integer", min: 2 },
  eval_fraction: { type: "number", min: 0, max: 0.9 },
  normalize: { type: "boolean" },
  normalize_samples: { type: "integer", min: 2 },
  seed: { type: "integer" },
};

export function parseRewardConfig(input: unknown): RewardConfig {
  return parseConfig("reward config", REWARD_DEFAULTS, REWARD_SPEC, input);
}

