// DPOConfig: every DPO setting with its default and the reason for it. No tfjs here, so a run can be validated and
// queued without loading TensorFlow.js.
import { parseConfig, type FieldSpec } from "./config";

export interface DPOConfig extends Record<string, unknown> {
  beta: number;
  label_smoothing: number;
  epochs: number;
  max_steps: number;
  batch_size: number;
  lr: number;
  adam_eps: number;
  weight_decay: number;
  max_grad_norm: number;
  max_length: number;
  eval_fraction: number;
  seed: number;
}

export const DPO_DEFAULTS: DPOConfig = {
  beta: 0.1, // the DPO paper's and TRL's default: how far the policy may drift from the reference per unit of margin
  label_smoothing: 0, // plain sigmoid loss; > 0 is conservative DPO for noisy labels
  epochs: 2, // TRL trains 1–3 epochs; small pair sets need a second pass
  max_steps: 0, // > 0 stops after this many steps whatever the epochs say (TRL's max_steps): a fixed compute budget
  batch_size: 8, // pairs per step (16 sequences through the policy)
  lr: 5e-5, // small byte-level policies; TRL's 1e-6 is for billion-parameter models
  adam_eps: 1e-8, // Adam's usual epsilon
  weight_decay: 0, // stay close to the reference; decay would pull weights elsewhere
  max_grad_norm: 1.0, // TRL's default
  max_length: 256, // tokens per prompt+response; longer responses lose their tail
  eval_fraction: 0.1, // held-out share of prompts when the data has no test split
  seed: 0, // pair order and the held-out split
};

const DPO_SPEC: { [K in keyof DPOConfig]: FieldSpec } = {
  beta: { type: "number", above: 0 },
  label_smoothing: { type: "number", min: 0, max: 0.5 },
  epochs: { type: "integer", min: 1 },
  max_steps: { type: "integer", min: 0 },
  batch_size: { type: "integer", min: 1 },
  lr: { type: "number", above: 0 },
  adam_eps: { type: "number", above: 0 },
  weight_decay: { type: "number", min: 0 },
  max_grad_norm: { type: "number", above: 0 },
  max_length: { type: "integer", min: 2 },
  eval_fraction: { type: "number", min: 0, max: 0.9 },
  seed: { type: "integer" },
};

export function parseDPOConfig(input: unknown): DPOConfig {
  return parseConfig("dpo config", DPO_DEFAULTS, DPO_SPEC, input);
}

