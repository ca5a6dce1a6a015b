// Model checkpoints as HF-style directories: config.json + model.safetensors (+ optimizer.safetensors to resume).
//
// API:
//   saveCheckpoint(dir, model, {tokenizer, head?: {kind, module}, extraTensors?, meta?, optimizer?}): Promise<void>
//       written to `<dir>.tmp-<pid>` and renamed into place, replacing an existing dir only once complete
//   loadCheckpoint(dir, {withOptimizer?}) -> Promise<LoadedCheckpoint>
//       {model, tokenizer (name), head?, headKind, config, meta, extraTensors, optimizer?}
//   saveOptimizerState(dir, state) / loadOptimizerState(dir) -> OptimizerState | null   (optimizer.safetensors)
//   readCheckpointConfig(dir) -> {config, tokenizer, headKind, meta}                     without loading tensors
//   writeDirAtomically(dir, fill) / writeOptimizerFile(dir, state): the tmp-dir-and-rename step both layouts share
// A PEFT adapter directory (adapter_config.json + adapter_model.safetensors, see peft.ts) loads through the same
// loadCheckpoint / readCheckpointConfig: its base is loaded and the adapter merged in.
// Errors are one line, name the directory/file, and say what to do.
//
// HF compatibility, stated explicitly (nanoGPT's from_pretrained habit):
//   * Names are HF GPT-2's (wte.weight, h.0.attn.c_attn.weight, ...). On load a `transformer.` prefix is accepted and
//     stripped; `lm_head.weight` is ignored (tied to wte); the `attn.bias` / `attn.masked_bias` buffers are ignored.
//   * HF stores these four as Conv1D weights with layout [in, out]:
//         attn.c_attn.weight, attn.c_proj.weight, mlp.c_fc.weight, mlp.c_proj.weight
//     Our model computes x·W with W [in, out] too, so they are copied WITHOUT a transpose (nanoGPT, which uses
//     nn.Linear [out, in], has to transpose exactly these). Every tensor's shape is asserted against paramShapes().
//   * F16/BF16 files are widened to F32; we always write F32. config.json carries HF's GPT2Config fields plus
//     "rlhf": {tokenizer, head, ...meta}. A checkpoint without "rlhf" is an HF GPT-2 and uses the gpt2 tokenizer.

import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type GPTConfig, validateConfig } from "../model/config.js";
import { GPT, paramShapes } from "../model/gpt.js";
import { ScalarHead } from "../model/heads.js";
import type { OptimizerState } from "../model/adam.js";
import { getTokenizer, TOKENIZER_NAMES, type TokenizerName } from "../tokenizer/index.js";
import { readSafetensors, type SafeTensor, writeSafetensors } from "./safetensors.js";
import { isAdapterDir } from "../../server/services/adapters.js";
import { loadAdapterCheckpoint, readAdapterCheckpointConfig } from "./peft.js";

export { readSafetensors, writeSafetensors, SafetensorsError, type SafeTensor } from "./safetensors.js";

export type HeadKind = "reward" | "value";

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

export interface SaveOptions {
  tokenizer: TokenizerName;
  head?: { kind: HeadKind; module: ScalarHead };
  extraTensors?: Map<string, tf.Tensor>; // saved as F32 beside the model (e.g. reward normalisation stats)
  meta?: Record<string, unknown>; // merged into config.json's "rlhf" object
  optimizer?: OptimizerState; // written to optimizer.safetensors in the same atomic step
}

export interface LoadedCheckpoint {
  model: GPT;
  tokenizer: TokenizerName;
  head?: ScalarHead;
  headKind: HeadKind | null;
  config: GPTConfig;
  meta: Record<string, unknown>;
  extraTensors: Map<string, tf.Tensor>;
  optimizer?: OptimizerState | null;
}

/** HF's Conv1D weights, stored [in, out] and copied as-is (our layout is also [in, out]). */
export const CONV1D_WEIGHTS = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];
/** HF's causal-mask buffers, not weights. (`lm_head.weight` is checked against `wte.weight`, then dropped.) */
const IGNORED = [/\.attn\.bias$/, /\.attn\.masked_bias$/];
const SHARD_INDEX = "model.safetensors.index.json";

/**
 * Every tensor of a checkpoint: `model.safetensors`, or the shards that `model.safetensors.index.json` names (HF's
 * layout for large models), each read tensor by tensor.
 */
function readModelTensors(dir: string): Map<string, SafeTensor> {
  const single = path.join(dir, "model.safetensors");
  if (fs.existsSync(single)) return readSafetensors(single).tensors;
  const indexFile = path.join(dir, SHARD_INDEX);
  if (!fs.existsSync(indexFile)) {
    const hint = fs.existsSync(path.join(dir, "pytorch_model.bin")) ? " (found pytorch_model.bin: re-save it with safetensors, e.g. save_pretrained(safe_serialization=True))" : "";
    throw new CheckpointError(`checkpoint ${dir} has no model.safetensors${hint}`);
  }
  let weightMap: Record<string, unknown>;
  try {
    weightMap = JSON.parse(fs.readFileSync(indexFile, "utf8")).weight_map;
  } catch {
    throw new CheckpointError(`checkpoint ${dir}: ${SHARD_INDEX} is not valid JSON`);
  }
  if (!weightMap || typeof weightMap !== "object") throw new CheckpointError(`checkpoint ${dir}: ${SHARD_INDEX} has no weight_map`);
  const shards = [...new Set(Object.values(weightMap))];
  const unsafe = shards.find((f) => typeof f !== "string" || path.basename(f) !== f);
  if (unsafe !== undefined) throw new CheckpointError(`checkpoint ${dir}: ${SHARD_INDEX} names shard ${JSON.stringify(unsafe)}, not a file in the checkpoint directory`);
  const missing = (shards as string[]).filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) throw new CheckpointError(`checkpoint ${dir}: shard ${missing[0]} named in ${SHARD_INDEX} is missing${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""}`);
  const out = new Map<string, SafeTensor>();
  for (const shard of shards as string[]) {
    for (const [name, t] of readSafetensors(path.join(dir, shard)).tensors) {
      if (weightMap[name] === shard) out.set(name, t);
    }
  }
  const absent = Object.keys(weightMap).find((name) => !out.has(name));
  if (absent) throw new CheckpointError(`checkpoint ${dir}: tensor ${absent} is not in shard ${String(weightMap[absent])} as ${SHARD_INDEX} says`);
  return out;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * GPT-2 config switches that change the arithmetic this model implements: a checkpoint using one would load and give
 * silently wrong logits, so it is refused. Each entry: the key, the value that is refused, and why.
 */
const UNSUPPORTED_GPT2_SWITCHES: [key: string, refused: unknown, what: string][] = [
  ["scale_attn_weights", false, "attention scores without the 1/√d scale"],
  ["scale_attn_by_inverse_layer_idx", true, "attention scaled by 1/(layer index + 1)"],
  ["reorder_and_upcast_attn", true, "reordered, upcast attention (Mistral-style GPT-2)"],
];
const HEAD_NAMES = ["score.weight", "score.bias"];

async function tensorData(t: tf.Tensor): Promise<Float32Array> {
  const d = await t.data();
  // Copy: some backends hand out views of their own memory.
  return Float32Array.from(d as Float32Array);
}

async function toSafeTensors(entries: Iterable<[string, tf.Tensor]>): Promise<SafeTensor[]> {
  const out: SafeTensor[] = [];
  for (const [name, t] of entries) {
    if (t.dtype !== "float32") throw new CheckpointError(`cannot save ${name}: only float32 tensors are stored (got ${t.dtype})`);
    out.push({ name, shape: [...t.shape], dtype: "F32", data: await tensorData(t) });
  }
  return out;
}

function hfConfigJson(c: GPTConfig, tokenizer: TokenizerName, headKind: HeadKind | null, meta: Record<string, unknown>) {
  const eos = getTokenizer(tokenizer).eosId;
  return {
    model_type: "gpt2",
    // Always the LM class: HF's GPT2ForSequenceClassification has a bias-free [1, D] score, unlike our head, so HF
    // loads the backbone and ignores score.* rather than mis-loading it.
    architectures: ["GPT2LMHeadModel"],
    vocab_size: c.vocab_size,
    n_positions: c.n_positions,
    n_ctx: c.n_positions,
    n_embd: c.n_embd,
    n_layer: c.n_layer,
    n_head: c.n_head,
    n_inner: null,
    layer_norm_epsilon: c.layer_norm_epsilon,
    activation_function: "gelu_new",
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    tie_word_embeddings: true,
    bos_token_id: eos,
    eos_token_id: eos,
    rlhf: { ...meta, tokenizer, head: headKind },
  };
}

function optimizerTensors(state: OptimizerState): SafeTensor[] {
  return [...state.tensors].map(([name, t]) => ({ name, shape: [...t.shape], dtype: "F32", data: Float32Array.from(t.dataSync() as Float32Array) }));
}

function optimizerMetadata(state: OptimizerState): Record<string, string> {
  return { step: String(state.step), options: JSON.stringify(state.options ?? {}), format: "rlhf-adam-v1" };
}

/** optimizer.safetensors in `dir` (a checkpoint's or an adapter's directory being written). */
export function writeOptimizerFile(dir: string, state: OptimizerState): void {
  writeSafetensors(path.join(dir, "optimizer.safetensors"), optimizerTensors(state), optimizerMetadata(state));
}

/**
 * Fills a fresh `<dir>.tmp-<pid>` and swaps it into place: an existing directory is moved aside first, so a crash
 * never leaves a half-written one. Full checkpoints and adapters are both written this way.
 */
export async function writeDirAtomically(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const target = path.resolve(dir);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    const old = `${target}.old-${process.pid}`;
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function saveCheckpoint(dir: string, model: GPT, opts: SaveOptions): Promise<void> {
  if (!TOKENIZER_NAMES.includes(opts.tokenizer)) throw new CheckpointError(`unknown tokenizer '${opts.tokenizer}': use one of ${TOKENIZER_NAMES.join(", ")}`);
  // Saving only the base would silently drop what the adapters learned.
  if (model.lora) throw new CheckpointError("saveCheckpoint: this model has LoRA adapters attached; save them with saveAdapter, or mergeLora() first");
  await writeDirAtomically(dir, async (tmp) => {
    const entries: [string, tf.Tensor][] = [...model.params];
    if (opts.head) entries.push(...opts.head.module.params);
    for (const [name, t] of opts.extraTensors ?? []) {
      if (model.params.has(name) || HEAD_NAMES.includes(name)) throw new CheckpointError(`extra tensor '${name}' clashes with a model parameter name`);
      entries.push([name, t]);
    }
    const config = hfConfigJson(model.config, opts.tokenizer, opts.head?.kind ?? null, opts.meta ?? {});
    writeSafetensors(path.join(tmp, "model.safetensors"), await toSafeTensors(entries), { format: "pt" });
    if (opts.optimizer) writeOptimizerFile(tmp, opts.optimizer);
    fs.writeFileSync(path.join(tmp, "config.json"), JSON.stringify(config, null, 2) + "\n");
  });
}

/** Reads and checks config.json: the model config, tokenizer name, head kind and our metadata. */
export function readCheckpointConfig(dir: string): { config: GPTConfig; tokenizer: TokenizerName; headKind: HeadKind | null; meta: Record<string, unknown> } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CheckpointError(`checkpoint directory ${dir} does not exist`);
  if (isAdapterDir(dir)) return readAdapterCheckpointConfig(dir);
  const cfgPath = path.join(dir, "config.json");
  if (!fs.existsSync(cfgPath)) throw new CheckpointError(`checkpoint ${dir} has no config.json: is it a model directory?`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(cfgPath, "utf8"));
  } catch {
    throw new CheckpointError(`checkpoint ${dir}: config.json is not valid JSON`);
  }
  if (raw.model_type !== undefined && raw.model_type !== "gpt2") throw new CheckpointError(`checkpoint ${dir}: model_type '${String(raw.model_type)}' is not supported (only gpt2)`);
  const act = raw.activation_function;
  if (act !== undefined && act !== "gelu_new" && act !== "gelu_pytorch_tanh" && act !== "gelu_fast") {
    throw new CheckpointError(`checkpoint ${dir}: activation_function '${String(act)}' is not supported (GPT-2's tanh GELU only)`);
  }
  for (const [key, refused, what] of UNSUPPORTED_GPT2_SWITCHES) {
    if (raw[key] === refused) throw new CheckpointError(`checkpoint ${dir}: config.json sets ${key}: ${JSON.stringify(refused)} (${what}), which this GPT-2 does not implement`);
  }
  let config: GPTConfig;
  try {
    config = validateConfig({
      vocab_size: raw.vocab_size as number,
      n_positions: (raw.n_positions ?? raw.n_ctx) as number,
      n_embd: raw.n_embd as number,
      n_layer: raw.n_layer as number,
      n_head: raw.n_head as number,
      layer_norm_epsilon: (raw.layer_norm_epsilon as number) ?? 1e-5,
    });
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir}: ${(e as Error).message}`);
  }
  const rlhf = (raw.rlhf ?? {}) as Record<string, unknown>;
  const tokName = (rlhf.tokenizer ?? "gpt2") as string;
  if (!TOKENIZER_NAMES.includes(tokName as TokenizerName)) {
    throw new CheckpointError(`checkpoint ${dir}: unknown tokenizer '${tokName}' in config.json (use one of ${TOKENIZER_NAMES.join(", ")})`);
  }
  const head = (rlhf.head ?? null) as HeadKind | null;
  if (head !== null && head !== "reward" && head !== "value") throw new CheckpointError(`checkpoint ${dir}: unknown head '${String(head)}' in config.json (reward, value or null)`);
  const { tokenizer: _t, head: _h, ...meta } = rlhf;
  return { config, tokenizer: tokName as TokenizerName, headKind: head, meta };
}

export async function loadCheckpoint(dir: string, opts: { withOptimizer?: boolean } = {}): Promise<LoadedCheckpoint> {
  // A PEFT adapter directory loads as its base with the adapter merged in: it behaves exactly as a full model.
  if (isAdapterDir(dir)) return loadAdapterCheckpoint(dir);
  const { config, tokenizer, headKind, meta } = readCheckpointConfig(dir);
  const tensors = readModelTensors(dir);
  const byName = new Map<string, SafeTensor>();
  for (const t of tensors.values()) {
    const name = t.name.startsWith("transformer.") ? t.name.slice("transformer.".length) : t.name;
    if (IGNORED.some((re) => re.test(name))) continue;
    byName.set(name, t);
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of paramShapes(config)) {
    const t = byName.get(name);
    if (!t) throw new CheckpointError(`checkpoint ${dir} lacks tensor ${name}: it does not match its config.json`);
    if (!t.data) throw new CheckpointError(`checkpoint ${dir}: tensor ${name} has non-float dtype ${t.dtype}`);
    if (!tf.util.arraysEqual(t.shape, shape)) {
      const transposed = CONV1D_WEIGHTS.some((w) => name.endsWith(w)) && tf.util.arraysEqual(t.shape, [...shape].reverse());
      const hint = transposed ? " (an nn.Linear [out,in] layout: GPT-2 checkpoints store Conv1D [in,out])" : "";
      throw new CheckpointError(`checkpoint ${dir}: tensor ${name} has shape [${t.shape}], config.json implies [${shape}]${hint}`);
    }
    weights.set(name, t.data);
    byName.delete(name);
  }
  let head: ScalarHead | undefined;
  if (headKind) {
    const w = byName.get("score.weight");
    const b = byName.get("score.bias");
    if (!w?.data || !tf.util.arraysEqual(w.shape, [config.n_embd, 1])) throw new CheckpointError(`checkpoint ${dir}: head '${headKind}' needs score.weight of shape [${config.n_embd},1]`);
    const headWeights = new Map<string, Float32Array>([["score.weight", w.data]]);
    if (b?.data) headWeights.set("score.bias", b.data);
    head = new ScalarHead(config.n_embd, { weights: headWeights });
  }
  const lmHead = byName.get("lm_head.weight");
  if (lmHead?.data && !sameValues(lmHead.data, weights.get("wte.weight")!)) {
    throw new CheckpointError(`checkpoint ${dir}: lm_head.weight differs from wte.weight (untied output embeddings), which this GPT-2 does not implement`);
  }
  byName.delete("lm_head.weight");
  for (const n of HEAD_NAMES) byName.delete(n);
  const model = new GPT(config, { weights });
  const extraTensors = new Map<string, tf.Tensor>();
  for (const [name, t] of byName) if (t.data) extraTensors.set(name, tf.tensor(t.data, t.shape, "float32"));
  const optimizer = opts.withOptimizer ? loadOptimizerState(dir) : undefined;
  return { model, tokenizer, head, headKind, config, meta, extraTensors, optimizer };
}

/** Writes optimizer.safetensors into an existing checkpoint dir (tmp file + rename, so it is never half-written). */
export function saveOptimizerState(dir: string, state: OptimizerState): void {
  if (!fs.existsSync(dir)) throw new CheckpointError(`checkpoint directory ${dir} does not exist`);
  const tmp = path.join(dir, `optimizer.safetensors.tmp-${process.pid}`);
  writeSafetensors(tmp, optimizerTensors(state), optimizerMetadata(state));
  fs.renameSync(tmp, path.join(dir, "optimizer.safetensors"));
}

/** The saved Adam state, or null when the checkpoint has none. Caller disposes the tensors. */
export function loadOptimizerState(dir: string): OptimizerState | null {
  const file = path.join(dir, "optimizer.safetensors");
  if (!fs.existsSync(file)) return null;
  const { tensors, metadata } = readSafetensors(file);
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new CheckpointError(`${file}: missing or invalid step in its metadata`);
  let options: OptimizerState["options"];
  try {
    options = metadata.options ? JSON.parse(metadata.options) : undefined;
  } catch {
    throw new CheckpointError(`${file}: invalid options in its metadata`);
  }
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of tensors) if (t.data) out.set(name, tf.tensor(t.data, t.shape, "float32"));
  return { step, tensors: out, options };
}
