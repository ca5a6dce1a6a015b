// The built-in base policy's shape (and, re-exported, where it lives); tfjs-free.

export { BUILTIN_MODEL_DIR, BUILTIN_MODEL_NAME } from "../../server/services/builtin-model";

/**
 * GPT-2 shape of the built-in model. Word tokens (the 'words' tokenizer): vocab_size is the placeholder of the byte
 * layout here and is set from the learned vocabulary by scripts/make-base-model.ts. Two layers is enough for
 * copying words from the prompt; a small model learns most per CPU-second on a short training budget.
 */
export const BUILTIN_MODEL_CONFIG = {
  vocab_size: 260,
  n_positions: 256,
  n_embd: 144,
  n_layer: 2,
  n_head: 4,
  layer_norm_epsilon: 1e-5,
};
