// The GPT-2 model configuration, with HF GPT2Config's field names so config.json files are interchangeable.
//
// API: interface GPTConfig; defaultConfig(overrides); validateConfig(cfg) (throws a one-line Error); PRESETS.

export interface GPTConfig {
  vocab_size: number; // tokenizer vocabulary (byte: 260, GPT-2 BPE: 50257)
  n_positions: number; // longest sequence the learned position table covers
  n_embd: number; // model width D
  n_layer: number; // transformer blocks
  n_head: number; // attention heads; n_embd must divide evenly
  layer_norm_epsilon: number; // 1e-5 as GPT-2
}

/** Named shapes. `tiny` is the benchmark shape shared with the PyTorch peer (shared/bench/torch_gpt_step.py). */
export const PRESETS: Record<string, GPTConfig> = {
  tiny: { vocab_size: 512, n_positions: 64, n_embd: 128, n_layer: 2, n_head: 4, layer_norm_epsilon: 1e-5 },
  small: { vocab_size: 260, n_positions: 256, n_embd: 192, n_layer: 4, n_head: 6, layer_norm_epsilon: 1e-5 },
  gpt2: { vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, layer_norm_epsilon: 1e-5 },
};

export function defaultConfig(overrides: Partial<GPTConfig> = {}): GPTConfig {
  return validateConfig({ ...PRESETS.tiny!, ...overrides });
}

/** Checks a (possibly user-supplied) config and returns it; errors name the field and what is wrong. */
export function validateConfig(cfg: GPTConfig): GPTConfig {
  for (const key of ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"] as const) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`model config: ${key} must be a positive integer (got ${JSON.stringify(v)})`);
  }
  if (cfg.n_embd % cfg.n_head !== 0) throw new Error(`model config: n_embd (${cfg.n_embd}) must be divisible by n_head (${cfg.n_head})`);
  if (!(cfg.layer_norm_epsilon > 0)) cfg.layer_norm_epsilon = 1e-5;
  return cfg;
}
