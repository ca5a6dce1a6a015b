// LoRA adapter directories in PEFT's layout (adapter_config.json + adapter_model.safetensors): recognising one,
// reading and checking its config, and finding the base checkpoint it applies to. No tfjs, so run creation can check
// an adapter model cheaply; the trainer (trainer/checkpoint/peft.ts) reads and writes the tensors.
import fs from "node:fs";
import path from "node:path";
import { badRequest } from "./errors";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

/** The adapter_config.json fields this project reads (PEFT's LoraConfig names); the rest are kept as written. */
export interface AdapterConfig {
  peft_type: "LORA";
  task_type: "CAUSAL_LM" | "SEQ_CLS";
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  fan_in_fan_out: boolean;
  base_model_name_or_path: string;
  bias: "none";
  use_rslora?: boolean;
  modules_to_save?: string[] | null;
  [key: string]: unknown;
}

/** True for a directory holding a PEFT adapter rather than a full checkpoint. */
export function isAdapterDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, ADAPTER_CONFIG_FILE)) && !fs.existsSync(path.join(dir, "config.json"));
}

/** adapter_config.json, checked: a LoRA adapter this GPT-2 can apply, or a one-line error naming what is not. */
export function readAdapterConfig(dir: string, label = dir): AdapterConfig {
  const file = path.join(dir, ADAPTER_CONFIG_FILE);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw badRequest(`adapter '${label}': ${file} is not readable JSON (${(err as Error).message.split("\n")[0]})`);
  }
  const bad = (why: string) => badRequest(`adapter '${label}': ${why}`);
  if (raw.peft_type !== "LORA") throw bad(`peft_type ${JSON.stringify(raw.peft_type)} is not supported (LORA only)`);
  if (!Number.isInteger(raw.r) || (raw.r as number) < 1) throw bad(`r must be a positive integer (got ${JSON.stringify(raw.r)})`);
  if (typeof raw.lora_alpha !== "number" || !(raw.lora_alpha > 0)) throw bad(`lora_alpha must be a positive number (got ${JSON.stringify(raw.lora_alpha)})`);
  const targets = typeof raw.target_modules === "string" ? [raw.target_modules] : raw.target_modules;
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== "string")) throw bad("target_modules must be a list of module names");
  if ((raw.bias ?? "none") !== "none") throw bad(`bias '${String(raw.bias)}' is not supported (only "none")`);
  if (raw.use_dora === true) throw bad("DoRA adapters (use_dora) are not supported");
  if (typeof raw.base_model_name_or_path !== "string" || !raw.base_model_name_or_path) throw bad("base_model_name_or_path is missing");
  const task = raw.task_type ?? "CAUSAL_LM";
  if (task !== "CAUSAL_LM" && task !== "SEQ_CLS") throw bad(`task_type ${JSON.stringify(task)} is not supported (CAUSAL_LM or SEQ_CLS)`);
  return {
    ...raw,
    peft_type: "LORA",
    task_type: task,
    r: raw.r as number,
    lora_alpha: raw.lora_alpha,
    lora_dropout: typeof raw.lora_dropout === "number" ? raw.lora_dropout : 0,
    target_modules: targets as string[],
    fan_in_fan_out: raw.fan_in_fan_out === true,
    base_model_name_or_path: raw.base_model_name_or_path,
    bias: "none",
  };
}

/**
 * The base checkpoint directory an adapter applies to: base_model_name_or_path as an absolute path, or relative to
 * the adapter directory. A hub name (e.g. "gpt2") cannot be fetched here, so it is an error that says what to do.
 */
export function adapterBaseDir(dir: string, config: AdapterConfig, label = dir): string {
  const named = config.base_model_name_or_path;
  const candidate = path.isAbsolute(named) ? named : path.resolve(dir, named);
  if (!fs.existsSync(candidate) || !fs.statSync(candidate).isDirectory())
    throw badRequest(`adapter '${label}': its base model ${named} is not a checkpoint directory here; point base_model_name_or_path at the base's directory`);
  return candidate;
}
