// The shipped built-in base policy (trainer/builtin/base, made by scripts/make-base-model.ts), registered as model
// "base" at first start. Only the registry and the file system: the web bootstrap and the CLI both call it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../../db/index";
import { lockFor } from "../../db/statements";
import { findModel, registerModel, type ModelRow } from "./models";

function locate(): string {
  const fromSource = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../trainer/builtin/base");
  // Next bundles this module elsewhere; the repo-relative path from the working directory is the fallback.
  if (fs.existsSync(fromSource)) return fromSource;
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), "trainer/builtin/base");
}

/** The shipped checkpoint directory (config.json + model.safetensors), absolute. */
export const BUILTIN_MODEL_DIR = locate();

/** The registry name the built-in model is registered under. */
export const BUILTIN_MODEL_NAME = "base";

/**
 * The registered built-in model, registering it first when no model is named "base". Returns null (and registers
 * nothing) when the checkpoint is missing from this checkout. A user's own model named "base" is left alone.
 */
export async function ensureBuiltinModel(db: Db, dir: string = BUILTIN_MODEL_DIR): Promise<ModelRow | null> {
  // Workers and web instances starting together on a new database register it once (db/statements.ts lockFor).
  return await db.transaction(async (tx) => {
    await lockFor(tx, "bootstrap");
    return await registerBuiltin(db, dir);
  });
}

async function registerBuiltin(db: Db, dir: string): Promise<ModelRow | null> {
  const existing = await findModel(db, BUILTIN_MODEL_NAME);
  if (existing) return existing;
  const configFile = path.join(dir, "config.json");
  if (!fs.existsSync(configFile) || !fs.existsSync(path.join(dir, "model.safetensors"))) return null;
  const raw = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
  const tokenizer = (raw.rlhf as { tokenizer?: string } | undefined)?.tokenizer ?? "byte";
  const shape = Object.fromEntries(
    ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"].filter((k) => k in raw).map((k) => [k, raw[k]]),
  );
  return await registerModel(db, {
    name: BUILTIN_MODEL_NAME,
    kind: "policy",
    path: dir,
    tokenizer,
    config: { ...shape, builtin: true, trained_by: "scripts/make-base-model.ts" },
  });
}
