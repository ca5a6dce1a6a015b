// LoRA adapters on GPT-2's projections: y = x·W + b + (x·A)·B·(alpha/r), with the base W frozen and only A, B trained.
//
// API:
//   new LoraAdapters(config: GPTConfig, settings: LoraSettings, weights?: Map<name, Float32Array>)
//   adapters.params: Map<'h.{i}.attn.c_attn.lora_A' | '…lora_B', tf.Variable>   A [in, r], B [r, out]
//   adapters.delta(module, x2d) -> [N, out] or null when `module` ('h.0.attn.c_attn') carries no adapter
//   adapters.training: dropout on the adapters' input applies only while true (SFT, RM and DPO gradient steps)
//   adapters.deltaWeight(module) -> A·B·scale [in, out], the update merging adds to W; adapters.dispose()
//   loraModules(config, targetModules) -> the wrapped projections, e.g. ['h.0.attn.c_attn', 'h.0.attn.c_proj', …]
//   loraSettingsFrom(runConfig) -> LoraSettings | null (null: use_peft is off); withAdapterDropout(lora, step)
//
// Layout: A and B are kept [in, r] and [r, out] so both products are plain, untransposed 2-D matMuls (the wasm fast
// path, see ops.linear). PEFT stores them transposed (lora_A.weight [r, in], lora_B.weight [out, r]); the
// checkpoint code (trainer/checkpoint/peft.ts) converts. Init as PEFT's: A ~ U(−1/√in, 1/√in) (kaiming-uniform with
// a = √5), seeded; B = 0, so a fresh adapter leaves the model's output exactly as it was.

import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.js";
import { linear } from "./ops.js";
import { mulberry32 } from "../../server/services/random.js";
import { loraTargetList } from "../../server/services/run-kinds/config-schema.js";
import { ownedVariable } from "./variables.js";

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** Module-name suffixes as PEFT matches them: c_attn, c_proj (attention's and the MLP's), c_fc. */
  targetModules: string[];
  /** PEFT's use_rslora: scale alpha/√r instead of alpha/r (only read from adapters PEFT wrote). */
  rslora?: boolean;
  seed?: number;
}

/** Where each target suffix sits in a GPT-2 block. */
const MODULE_PATHS: Record<string, string[]> = {
  c_attn: ["attn.c_attn"],
  c_proj: ["attn.c_proj", "mlp.c_proj"],
  c_fc: ["mlp.c_fc"],
};

/** [in, out] of a block projection, from the model config (the same shapes as gpt.paramShapes). */
function projectionShape(c: GPTConfig, path: string): [number, number] {
  const D = c.n_embd;
  if (path === "attn.c_attn") return [D, 3 * D];
  if (path === "attn.c_proj") return [D, D];
  if (path === "mlp.c_fc") return [D, 4 * D];
  if (path === "mlp.c_proj") return [4 * D, D];
  throw new Error(`LoRA: no projection ${path} in a GPT-2 block`);
}

/** The wrapped projections in block order, e.g. ['h.0.attn.c_attn', 'h.0.attn.c_proj', 'h.0.mlp.c_fc', …]. */
export function loraModules(c: GPTConfig, targetModules: readonly string[]): string[] {
  const unknown = targetModules.find((m) => !MODULE_PATHS[m]);
  if (unknown !== undefined) throw new Error(`LoRA: unknown target module '${unknown}'; GPT-2's are ${Object.keys(MODULE_PATHS).join(", ")}`);
  const paths = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"].filter((p) => targetModules.some((m) => MODULE_PATHS[m]!.includes(p)));
  const out: string[] = [];
  for (let i = 0; i < c.n_layer; i++) for (const p of paths) out.push(`h.${i}.${p}`);
  return out;
}

export class LoraAdapters {
  readonly settings: LoraSettings;
  readonly scale: number;
  readonly params = new Map<string, tf.Variable>();
  /** Dropout is a training-time regulariser: off unless a trainer turns it on around its gradient step. */
  training = false;
  private readonly shapes = new Map<string, [number, number]>();
  /** Dropout masks drawn so far (each call's seed): part of a run's RNG state, which a resumed run sets back. */
  dropoutCalls = 0;

  constructor(config: GPTConfig, settings: LoraSettings, weights?: Map<string, Float32Array>) {
    if (!Number.isInteger(settings.r) || settings.r < 1) throw new Error(`LoRA: lora_r must be a positive integer (got ${settings.r})`);
    this.settings = { ...settings, targetModules: [...settings.targetModules] };
    this.scale = settings.rslora ? settings.alpha / Math.sqrt(settings.r) : settings.alpha / settings.r;
    const rand = mulberry32((settings.seed ?? 0) ^ 0x10ba);
    const r = settings.r;
    for (const module of loraModules(config, settings.targetModules)) {
      const [inDim, outDim] = projectionShape(config, module.replace(/^h\.\d+\./, ""));
      this.shapes.set(module, [inDim, outDim]);
      let a = weights?.get(`${module}.lora_A`);
      let b = weights?.get(`${module}.lora_B`);
      if (!a) {
        const bound = 1 / Math.sqrt(inDim);
        a = new Float32Array(inDim * r);
        for (let i = 0; i < a.length; i++) a[i] = (2 * rand() - 1) * bound;
      }
      b ??= new Float32Array(r * outDim);
      if (a.length !== inDim * r || b.length !== r * outDim) throw new Error(`LoRA: adapter for ${module} does not have rank ${r} over [${inDim}, ${outDim}]`);
      this.params.set(`${module}.lora_A`, ownedVariable(tf.tensor2d(a, [inDim, r]), true));
      this.params.set(`${module}.lora_B`, ownedVariable(tf.tensor2d(b, [r, outDim]), true));
    }
  }

  modules(): string[] {
    return [...this.shapes.keys()];
  }

  /** The adapter's contribution for input rows x [N, in], or null when the module has none. */
  delta(module: string, x: tf.Tensor2D): tf.Tensor2D | null {
    const a = this.params.get(`${module}.lora_A`);
    if (!a) return null;
    const b = this.params.get(`${module}.lora_B`)! as tf.Tensor2D;
    const p = this.settings.dropout;
    // A fresh seed per call: the same mask every step would drop the same features forever.
    const input = this.training && p > 0 ? (tf.dropout(x, p, undefined, (this.settings.seed ?? 0) * 1_000_003 + this.dropoutCalls++) as tf.Tensor2D) : x;
    return tf.mul(linear(linear(input, a as tf.Tensor2D), b), this.scale) as tf.Tensor2D;
  }

  /** A·B·scale [in, out]: what merging adds to the base weight. */
  deltaWeight(module: string): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.params.get(`${module}.lora_A`)!, this.params.get(`${module}.lora_B`)!), this.scale) as tf.Tensor2D);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Runs one gradient step's forward and backward with adapter dropout on (a no-op without adapters). */
export function withAdapterDropout<T>(lora: LoraAdapters | null, step: () => T): T {
  if (!lora) return step();
  lora.training = true;
  try {
    return step();
  } finally {
    lora.training = false;
  }
}

/** The LoRA fields every run kind's config carries (server/services/run-kinds/config-schema.ts loraFields). */
export interface LoraConfigFields {
  use_peft: boolean;
  lora_r: number;
  lora_alpha: number;
  lora_dropout: number;
  lora_target_modules: string | readonly string[];
  seed?: number;
}

/** A run config's adapters, or null when it fine-tunes every weight. */
export function loraSettingsFrom(cfg: LoraConfigFields): LoraSettings | null {
  if (!cfg.use_peft) return null;
  return { r: cfg.lora_r, alpha: cfg.lora_alpha, dropout: cfg.lora_dropout, targetModules: loraTargetList(cfg.lora_target_modules), seed: cfg.seed ?? 0 };
}

/** withAdapterDropout for a step that awaits (data-parallel gradients): dropout stays on until the step settles. */
export async function withAdapterDropoutAsync<T>(loras: ReadonlyArray<LoraAdapters | null>, step: () => Promise<T>): Promise<T> {
  const on = loras.filter((l): l is LoraAdapters => l !== null);
  for (const l of on) l.training = true;
  try {
    return await step();
  } finally {
    for (const l of on) l.training = false;
  }
}
