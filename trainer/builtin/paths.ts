// Where the built-in base policy lives in the repo and its shape; tfjs-free so the web bootstrap can import it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function locate(): string {
  const besideThisFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "base");
  // A bundler (Next) may move this module; the repo-relative path from the working directory is the fallback.
  if (fs.existsSync(besideThisFile)) return besideThisFile;
  return path.resolve("trainer/builtin/base");
}

/** The shipped checkpoint directory (config.json + model.safetensors), absolute. */
export const BUILTIN_MODEL_DIR = locate();

/** The registry name the built-in model is registered under. */
export const BUILTIN_MODEL_NAME = "base";

/**
 * GPT-2 shape of the built-in model (byte tokenizer: vocab 260), 576,000 parameters. Two layers is enough for
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
