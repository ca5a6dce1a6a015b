// Registers the shipped built-in base policy as model "base" at first start. Imports no tfjs (only the registry and
// the file system), so the web process's bootstrap can call it: ensureBuiltinModel(getDb()).
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../db/index";
import { findModel, registerModel, type ModelRow } from "../../server/services/models";
import { BUILTIN_MODEL_DIR, BUILTIN_MODEL_NAME } from "./paths";

export { BUILTIN_MODEL_DIR, BUILTIN_MODEL_NAME, BUILTIN_MODEL_CONFIG } from "./paths";

/**
 * The registered built-in model, registering it first when no model is named "base". Returns null (and registers
 * nothing) when the checkpoint is missing from this checkout. A user's own model named "base" is left alone.
 */
export function ensureBuiltinModel(db: Db, dir: string = BUILTIN_MODEL_DIR): ModelRow | null {
  const existing = findModel(db, BUILTIN_MODEL_NAME);
  if (existing) return existing;
  const configFile = path.join(dir, "config.json");
  if (!fs.existsSync(configFile) || !fs.existsSync(path.join(dir, "model.safetensors"))) return null;
  const raw = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
  const rlhf = (raw.rlhf ?? {}) as { tokenizer?: string; builtin?: Record<string, unknown> };
  const { rlhf: _meta, ...shape } = raw;
  return registerModel(db, {
    name: BUILTIN_MODEL_NAME,
    kind: "policy",
    path: dir,
    tokenizer: rlhf.tokenizer ?? "byte",
    config: { ...pick(shape, ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"]), builtin: true, trained_by: "scripts/make-base-model.ts" },
  });
}

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
}
