// PPOConfig: every PPO setting with its default and the reason for it (TRL, lm-human-preferences, "The N
// implementation details of RLHF with PPO"). No tfjs here, so a run can be validated and queued cheaply.
import { parseConfig, type FieldSpec } from "./config";

export type ValueModelKind = "policy_head" | "rm_critic";

export interface PPOConfig extends Record<string, unknown> {
  iterations: number;
  batch_size: number;
  mini_batch_size: number;
  ppo_epochs: number;
  lr: number;
  adam_eps: number;
  max_grad_norm: number;
  cliprange: number;
  cliprange_value: number;
  vf_coef: number;
  ent_coef: number;
  gamma: number;
  lam: number;
  kl_coef: number;
  adaptive_kl: boolean;
  target_kl: number;
  kl_horizon: number;
  kl_estimator: string;
  missing_eos_penalty: number;
  reward_scale: number;
  whiten_rewards: boolean;
  response_length: number;
  temperature: number;
  value_model: string;
  seed: number;
}

export const PPO_DEFAULTS: PPOConfig = {
  iterations: 20, // rollout batches; each is sampled, scored, and trained on ppo_epochs times
  batch_size: 32, // episodes per rollout batch: enough for stable whitening on a 2-core CPU
  mini_batch_size: 8, // 4 minibatches per epoch: several updates per rollout without tiny, noisy gradients
  ppo_epochs: 4, // TRL/lm-human-preferences: 4 passes over each rollout before the data is too off-policy
  lr: 3e-5, // small byte-level policies move at this rate in tens of iterations; 1.41e-5 (TRL) is for GPT-2-sized ones
  adam_eps: 1e-5, // N implementation details #1: the TF/OpenAI epsilon, steadier than 1e-8 on noisy RL gradients
  max_grad_norm: 1.0, // global-norm clip: one outlier advantage cannot blow up an update
  cliprange: 0.2, // the PPO paper's ε
  cliprange_value: 0.2, // values stay within 0.2 of the rollout's, as lm-human-preferences
  vf_coef: 0.1, // lm-human-preferences/TRL: the value loss must not swamp the policy gradient in a shared trunk
  ent_coef: 0, // optional entropy bonus; off by default, as in InstructGPT (the KL leash already keeps entropy)
  gamma: 1, // no discounting: the episode is one short response and the score arrives at its end
  lam: 0.95, // GAE's bias/variance trade-off, TRL and lm-human-preferences
  kl_coef: 0.05, // β: TRL's default; with RM scores normalised to std 1 this leashes the policy within a few nats
  adaptive_kl: false, // fixed β by default (TRL); true uses Ziegler et al.'s proportional controller
  target_kl: 6, // nats per sequence the adaptive controller aims for (Ziegler et al.)
  kl_horizon: 10000, // episodes over which the adaptive controller moves β by up to ±20%
  kl_estimator: "k1", // k1 is unbiased and what the reward penalty uses in TRL; k3 is non-negative
  missing_eos_penalty: 1.0, // subtracted from the score when no EOS was produced, so rambling never pays
  reward_scale: 1, // multiplies RM scores; 0 is the control run where only the KL term acts
  whiten_rewards: false, // TRL default; whitening per-token rewards helps when RM scores are unnormalised
  response_length: 48, // new tokens per response; the sampler stops earlier at EOS
  temperature: 1.0, // sample from the policy itself so log-probs are the policy's own (TRL uses 0.7 with scaled logits)
  value_model: "rm_critic", // a separate critic from the RM (TRL, InstructGPT); see the value-model note in trainPPO
  seed: 0, // prompt order, sampling and minibatch shuffles
};

const PPO_SPEC: { [K in keyof PPOConfig]: FieldSpec } = {
  iterations: { type: "integer", min: 1 },
  batch_size: { type: "integer", min: 2 },
  mini_batch_size: { type: "integer", min: 1 },
  ppo_epochs: { type: "integer", min: 1 },
  lr: { type: "number", above: 0 },
  adam_eps: { type: "number", above: 0 },
  max_grad_norm: { type: "number", above: 0 },
  cliprange: { type: "number", above: 0, max: 1 },
  cliprange_value: { type: "number", above: 0 },
  vf_coef: { type: "number", min: 0 },
  ent_coef: { type: "number", min: 0 },
  gamma: { type: "number", min: 0, max: 1 },
  lam: { type: "number", min: 0, max: 1 },
  kl_coef: { type: "number", min: 0 },
  adaptive_kl: { type: "boolean" },
  target_kl: { type: "number", above: 0 },
  kl_horizon: { type: "number", above: 0 },
  kl_estimator: { type: "string", choices: ["k1", "k2", "k3"] }, // the estimators of utils.klEstimate
  missing_eos_penalty: { type: "number", min: 0 },
  reward_scale: { type: "number" },
  whiten_rewards: { type: "boolean" },
  response_length: { type: "integer", min: 1 },
  temperature: { type: "number", above: 0 },
  value_model: { type: "string", choices: ["policy_head", "rm_critic"] },
  seed: { type: "integer" },
};

export function parsePPOConfig(input: unknown): PPOConfig {
  const cfg = parseConfig("ppo config", PPO_DEFAULTS, PPO_SPEC, input);
  if (cfg.mini_batch_size > cfg.batch_size) {
    throw new Error(`ppo config: mini_batch_size (${cfg.mini_batch_size}) must not exceed batch_size (${cfg.batch_size})`);
  }
  return cfg;
}

