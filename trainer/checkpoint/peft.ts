// LoRA adapters on disk in PEFT's layout, so PEFT (PeftModel.from_pretrained) loads ours and we load PEFT's.
//
// API:
//   saveAdapter(dir, model, {baseDir, tokenizer, head?, meta?, optimizer?})   atomic, as saveCheckpoint
//   readAdapter(dir) -> {config, settings, weights, head, meta}                the adapter's tensors in our layout
//   loadAdapterCheckpoint(dir) -> LoadedCheckpoint                             base loaded, adapter merged in
//   readAdapterCheckpointConfig(dir)                                          the base's config, the adapter's head
//   peftTensorName(module, 'lora_A' | 'lora_B') -> 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'
//
// The layout, stated explicitly:
//   adapter_config.json: peft_type "LORA", task_type "CAUSAL_LM" (a policy) or "SEQ_CLS" (a reward model, with
//     modules_to_save ["score"]), r, lora_alpha, lora_dropout, target_modules, fan_in_fan_out true (GPT-2's Conv1D
//     stores W as [in, out], and PEFT computes the delta as (B·A)ᵀ for it), bias "none", base_model_name_or_path =
//     the base checkpoint's directory.
//   adapter_model.safetensors: per wrapped projection `base_model.model.transformer.h.{i}.{attn|mlp}.{module}.
//     lora_A.weight` [r, in] and `….lora_B.weight` [out, r] (torch nn.Linear layout: ours transposed); a reward
//     model adds its head as `base_model.model.score.weight` [1, D] (GPT2ForSequenceClassification's layout) and
//     `base_model.model.score.bias` [1] (ours has a bias; PEFT reports it as an unexpected key and leaves it).
//     __metadata__: format "pt" as PEFT writes, and "rlhf" (JSON: tokenizer, head kind, our run metadata).

import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, adapterBaseDir, readAdapterConfig, type AdapterConfig } from "../../server/services/adapters.js";
import type { OptimizerState } from "../model/adam.js";
import type { GPT } from "../model/gpt.js";
import { ScalarHead } from "../model/heads.js";
import type { LoraSettings } from "../model/lora.js";
import type { TokenizerName } from "../tokenizer/index.js";
import { CheckpointError, loadCheckpoint, readCheckpointConfig, writeDirAtomically, writeOptimizerFile, type HeadKind, type LoadedCheckpoint } from "./index.js";
import { readSafetensors, writeSafetensors, type SafeTensor } from "./safetensors.js";

const PREFIX = "base_model.model.";

export function peftTensorName(module: string, which: "lora_A" | "lora_B"): string {
  return `${PREFIX}transformer.${module}.${which}.weight`;
}

/** A row-major [rows, cols] matrix transposed into [cols, rows]. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

export interface AdapterSaveOptions {
  /** The base checkpoint directory (base_model_name_or_path). */
  baseDir: string;
  tokenizer: TokenizerName;
  /** A reward model's trained head, saved beside the adapter as PEFT's modules_to_save. */
  head?: { kind: HeadKind; module: ScalarHead };
  meta?: Record<string, unknown>;
  /** Written to optimizer.safetensors in the same atomic step (a resumable adapter). */
  optimizer?: OptimizerState;
}

export async function saveAdapter(dir: string, model: GPT, opts: AdapterSaveOptions): Promise<void> {
  const lora = model.lora;
  if (!lora) throw new CheckpointError("saveAdapter: the model has no LoRA adapters attached");
  const s = lora.settings;
  const tensors: SafeTensor[] = [];
  for (const module of lora.modules()) {
    const a = lora.params.get(`${module}.lora_A`)!;
    const b = lora.params.get(`${module}.lora_B`)!;
    const [inDim, r] = a.shape as [number, number];
    const outDim = b.shape[1]!;
    tensors.push({ name: peftTensorName(module, "lora_A"), shape: [r, inDim], dtype: "F32", data: transposed((await a.data()) as Float32Array, inDim, r) });
    tensors.push({ name: peftTensorName(module, "lora_B"), shape: [outDim, r], dtype: "F32", data: transposed((await b.data()) as Float32Array, r, outDim) });
  }
  if (opts.head) {
    const w = opts.head.module.params.get("score.weight")!;
    const bias = opts.head.module.params.get("score.bias")!;
    tensors.push({ name: `${PREFIX}score.weight`, shape: [1, w.shape[0]!], dtype: "F32", data: Float32Array.from((await w.data()) as Float32Array) });
    tensors.push({ name: `${PREFIX}score.bias`, shape: [1], dtype: "F32", data: Float32Array.from((await bias.data()) as Float32Array) });
  }
  const config: AdapterConfig = {
    peft_type: "LORA",
    task_type: opts.head ? "SEQ_CLS" : "CAUSAL_LM",
    base_model_name_or_path: path.resolve(opts.baseDir),
    r: s.r,
    lora_alpha: s.alpha,
    lora_dropout: s.dropout,
    target_modules: [...s.targetModules],
    fan_in_fan_out: true,
    bias: "none",
    use_rslora: s.rslora ?? false,
    use_dora: false,
    modules_to_save: opts.head ? ["score"] : null,
    init_lora_weights: true,
    inference_mode: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
  };
  const rlhf = { ...(opts.meta ?? {}), tokenizer: opts.tokenizer, head: opts.head?.kind ?? null };
  await writeDirAtomically(dir, async (tmp) => {
    writeSafetensors(path.join(tmp, ADAPTER_WEIGHTS_FILE), tensors, { format: "pt", rlhf: JSON.stringify(rlhf) });
    fs.writeFileSync(path.join(tmp, ADAPTER_CONFIG_FILE), JSON.stringify(config, null, 2) + "\n");
    if (opts.optimizer) writeOptimizerFile(tmp, opts.optimizer);
  });
}

export interface ReadAdapter {
  config: AdapterConfig;
  baseDir: string;
  settings: LoraSettings;
  /** `h.{i}.{attn|mlp}.{module}.lora_A` [in, r] and `.lora_B` [r, out], as LoraAdapters takes them. */
  weights: Map<string, Float32Array>;
  /** score.weight [D] / score.bias [1] of a reward model's head, when saved. */
  head: Map<string, Float32Array> | null;
  headKind: HeadKind | null;
  tokenizer: TokenizerName | null;
  meta: Record<string, unknown>;
}

/** Our run metadata from the safetensors header (absent in adapters PEFT wrote). */
function adapterMeta(metadata: Record<string, string>): Record<string, unknown> {
  try {
    return metadata.rlhf ? (JSON.parse(metadata.rlhf) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An adapter folder's config and its base's folder; either missing or malformed is a CheckpointError. */
function adapterConfigAndBase(dir: string): { config: AdapterConfig; baseDir: string } {
  try {
    const config = readAdapterConfig(dir);
    return { config, baseDir: adapterBaseDir(dir, config) };
  } catch (err) {
    throw new CheckpointError((err as Error).message);
  }
}

export function readAdapter(dir: string): ReadAdapter {
  const { config, baseDir } = adapterConfigAndBase(dir);
  const file = path.join(dir, ADAPTER_WEIGHTS_FILE);
  if (!fs.existsSync(file)) throw new CheckpointError(`adapter ${dir} has no ${ADAPTER_WEIGHTS_FILE}`);
  if (!config.fan_in_fan_out) throw new CheckpointError(`adapter ${dir}: fan_in_fan_out is false, but GPT-2's projections are Conv1D ([in, out]); PEFT writes true for GPT-2`);
  const { tensors, metadata } = readSafetensors(file);
  const weights = new Map<string, Float32Array>();
  let head: Map<string, Float32Array> | null = null;
  for (const t of tensors.values()) {
    if (!t.data) throw new CheckpointError(`adapter ${dir}: tensor ${t.name} has non-float dtype ${t.dtype}`);
    // PEFT names may carry the adapter name ("….lora_A.default.weight") in some versions; both forms are read.
    const m = /^base_model\.model\.(?:transformer\.)?(h\.\d+\.(?:attn|mlp)\.c_\w+)\.(lora_A|lora_B)(?:\.default)?\.weight$/.exec(t.name);
    if (m) {
      const [rows, cols] = t.shape as [number, number];
      weights.set(`${m[1]}.${m[2]}`, transposed(t.data, rows, cols));
      continue;
    }
    const s = /^base_model\.model\.score(?:\.modules_to_save(?:\.default)?)?\.(weight|bias)$/.exec(t.name);
    if (s) {
      head ??= new Map();
      head.set(`score.${s[1]}`, t.data);
      continue;
    }
    throw new CheckpointError(`adapter ${dir}: unexpected tensor ${t.name} (only LoRA A/B of GPT-2 projections and a score head are read)`);
  }
  const meta = adapterMeta(metadata);
  const headKind = head ? "reward" : null;
  const { tokenizer, head: _h, ...rest } = meta;
  return {
    config,
    baseDir,
    settings: { r: config.r, alpha: config.lora_alpha, dropout: config.lora_dropout, targetModules: config.target_modules, rslora: config.use_rslora === true },
    weights,
    head,
    headKind,
    tokenizer: typeof tokenizer === "string" ? (tokenizer as TokenizerName) : null,
    meta: rest,
  };
}

/** The adapted model's config: the base's shape and tokenizer, the adapter's head and metadata. */
export function readAdapterCheckpointConfig(dir: string): ReturnType<typeof readCheckpointConfig> {
  const { config, baseDir } = adapterConfigAndBase(dir);
  const base = readCheckpointConfig(baseDir);
  const meta = fs.existsSync(path.join(dir, ADAPTER_WEIGHTS_FILE)) ? adapterMeta(readSafetensorsHeader(path.join(dir, ADAPTER_WEIGHTS_FILE))) : {};
  return { config: base.config, tokenizer: base.tokenizer, headKind: config.task_type === "SEQ_CLS" ? "reward" : base.headKind, meta: { ...meta, adapter: { base: baseDir, r: config.r } } };
}

/** Only the __metadata__ of a safetensors file (adapters are small, so reading it whole is fine). */
function readSafetensorsHeader(file: string): Record<string, string> {
  return readSafetensors(file).metadata;
}

/**
 * The base checkpoint with the adapter merged into its weights (W += A·B·alpha/r), plus the adapter's head for a
 * reward model: a plain model that computes what base + adapter computes.
 */
export async function loadAdapterCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const adapter = readAdapter(dir);
  const base = await loadCheckpoint(adapter.baseDir);
  try {
    base.model.attachLora(adapter.settings, adapter.weights);
    base.model.mergeLora();
    let head = base.head;
    if (adapter.head) {
      const w = adapter.head.get("score.weight");
      if (!w || w.length !== base.config.n_embd) throw new CheckpointError(`adapter ${dir}: score.weight must hold ${base.config.n_embd} values`);
      base.head?.dispose();
      head = new ScalarHead(base.config.n_embd, { weights: adapter.head });
    }
    return {
      ...base,
      head,
      headKind: adapter.headKind ?? base.headKind,
      meta: { ...base.meta, ...adapter.meta, adapter: { base: adapter.baseDir, r: adapter.settings.r, lora_alpha: adapter.settings.alpha } },
    };
  } catch (err) {
    base.model.dispose();
    base.head?.dispose();
    tf.dispose([...base.extraTensors.values()]);
    throw err;
  }
}
