// GPT-2 in TensorFlow.js, nanoGPT-style: learned positions, pre-LayerNorm blocks, GELU (tanh), tied embeddings, no dropout.
//
// API (the SFT, reward, PPO and DPO trainers build on this; keep it stable):
//   new GPT(config: GPTConfig, {seed = 0, weights?: Map<name, Float32Array>})
//   gpt.config; gpt.params: Map<string, tf.Variable>   keyed by HF GPT-2 names (see paramShapes)
//   gpt.forward(ids int32 [B,T], {attentionMask?, positionIds?}) -> {logits [B,T,V], hidden [B,T,D] (after ln_f)}
//   gpt.hiddenStates(ids, opts) -> hidden only (reward/value models skip the vocab projection)
//   gpt.forwardCached(ids [B,Tnew], cache | null, {attentionMask [B,Tpast+Tnew] | positionIds+bias, lastOnly?, headT?})
//       -> {logits, cache}   inference only (no gradient through headT)
//   gpt.trainableVariables(); gpt.numParams(); gpt.dispose(); disposeCache(cache)
//   gpt.lmHeadWeightT() / gpt.clearInferenceCache(): wteᵀ kept for generation while wte is unchanged (1 tensor)
//   gpt.attachLora(settings, weights?) / gpt.lora / gpt.mergeLora(): LoRA adapters (model/lora.ts) on the projections;
//       while attached the base weights are frozen and gpt.trainableParams() is the adapters alone
//   gpt.trainableParams(): what an optimizer updates (params, or the adapters when LoRA is attached)
//   gpt.baseView(): a second GPT over the same weight variables (no copy) without adapters: LoRA's reference policy
//   forward/hiddenStates/forwardCached option {adapters: false} runs the base alone, without a view
//   paramShapes(config) -> [name, shape][] in a fixed order, the checkpoint contract
//
// Padding: attentionMask is 1 for real tokens, 0 for padding, either side. Padded keys are masked out of attention;
// positions default to cumsum(mask) − 1 clipped at 0, so a left-padded row sees the same positions as unpadded.
// Parameter layout: every projection weight is stored [in, out] exactly as HF's Conv1D, and applied as x·W, so HF
// tensors load without a transpose. wte [V,D] is tied: the LM head is x·wteᵀ and there is no lm_head.weight.
// Init (seeded): N(0, 0.02) for weights and embeddings, N(0, 0.02/√(2·n_layer)) for the residual projections
// (attn.c_proj, mlp.c_proj) as GPT-2, zero biases, LayerNorm weight 1. Memory: every call runs inside tf.tidy.

import * as tf from "@tensorflow/tfjs";
import { type GPTConfig, validateConfig } from "./config.js";
import { attentionBias, causalSelfAttention, frozenLinear, gatherRows, gelu, layerNorm, linear, splitColumns } from "./ops.js";
import { LoraAdapters, type LoraSettings } from "./lora.js";
import { mulberry32 } from "../../server/services/random.js";
import { normalSampler } from "./prng.js";
import { ownedVariable } from "./variables.js";

export interface ForwardOptions {
  attentionMask?: tf.Tensor2D; // [B,T] 1 = real token, 0 = padding
  positionIds?: tf.Tensor2D; // [B,T] int32; derived from the mask when absent
  adapters?: boolean; // false: skip LoRA adapters (the base model's output)
}

/**
 * Options of the incremental (inference-only) forward. Either attentionMask [B, Tpast+Tnew] (positions and bias are
 * derived from it), or positionIds [B,Tnew] + bias [B,1,Tnew,Tpast+Tnew] computed by the caller (the generation loop
 * builds both in JS, which saves ~15 small ops per token). headT = wteᵀ to use; by default the model's cached
 * lmHeadWeightT(), so the embedding table is not transposed (38M values for GPT-2) for every token.
 */
export interface CachedForwardOptions {
  attentionMask?: tf.Tensor2D;
  positionIds?: tf.Tensor2D;
  bias?: tf.Tensor4D;
  headT?: tf.Tensor2D;
  lastOnly?: boolean;
  adapters?: boolean;
}

/** Per-layer keys and values of the positions seen so far, each [B, Tpast, D] (heads side by side). */
export interface KVCache {
  keys: tf.Tensor3D[];
  values: tf.Tensor3D[];
  length: number;
}

/** The HF GPT-2 parameter names and shapes, embeddings first, then blocks in order, then ln_f. */
export function paramShapes(c: GPTConfig): [string, number[]][] {
  const D = c.n_embd;
  const out: [string, number[]][] = [
    ["wte.weight", [c.vocab_size, D]],
    ["wpe.weight", [c.n_positions, D]],
  ];
  for (let i = 0; i < c.n_layer; i++) {
    const p = `h.${i}.`;
    out.push(
      [`${p}ln_1.weight`, [D]],
      [`${p}ln_1.bias`, [D]],
      [`${p}attn.c_attn.weight`, [D, 3 * D]],
      [`${p}attn.c_attn.bias`, [3 * D]],
      [`${p}attn.c_proj.weight`, [D, D]],
      [`${p}attn.c_proj.bias`, [D]],
      [`${p}ln_2.weight`, [D]],
      [`${p}ln_2.bias`, [D]],
      [`${p}mlp.c_fc.weight`, [D, 4 * D]],
      [`${p}mlp.c_fc.bias`, [4 * D]],
      [`${p}mlp.c_proj.weight`, [4 * D, D]],
      [`${p}mlp.c_proj.bias`, [D]],
    );
  }
  out.push(["ln_f.weight", [D]], ["ln_f.bias", [D]]);
  return out;
}

/** Seeded initial value for one parameter, following GPT-2's scheme (see the header). */
function initialValue(name: string, shape: number[], c: GPTConfig, normal: () => number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name === "ln_f.weight") return out.fill(1);
  if (name.endsWith(".bias")) return out;
  const std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * c.n_layer) : 0.02;
  for (let i = 0; i < n; i++) out[i] = normal() * std;
  return out;
}

export class GPT {
  readonly config: GPTConfig;
  readonly params = new Map<string, tf.Variable>();
  /** LoRA adapters, when attached: then only they train, and the base weights are read through frozenLinear. */
  lora: LoraAdapters | null = null;
  /** Set on a baseView(): the model whose weight variables this one reads (and must not dispose). */
  private readonly weightsOwner: GPT | null = null;

  /**
   * `weights` (used by the checkpoint loader) supplies values by name, already shape-checked; the rest are
   * initialised. `sharedWith` makes a view over another model's variables instead (see baseView).
   */
  constructor(config: GPTConfig, opts: { seed?: number; weights?: Map<string, Float32Array>; sharedWith?: GPT } = {}) {
    this.config = validateConfig({ ...config });
    if (opts.sharedWith) {
      this.weightsOwner = opts.sharedWith;
      for (const [name, v] of opts.sharedWith.params) this.params.set(name, v);
      return;
    }
    const normal = normalSampler(mulberry32(opts.seed ?? 0));
    for (const [name, shape] of paramShapes(this.config)) {
      const values = opts.weights?.get(name) ?? initialValue(name, shape, this.config, normal);
      // Variables stay unnamed: tfjs names must be globally unique, and several models live side by side (PPO).
      this.params.set(name, ownedVariable(tf.tensor(values, shape, "float32"), true));
    }
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`GPT: missing parameter ${name}`);
    return v;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.trainableParams().values()];
  }

  /** What an optimizer updates: every weight, or only the adapters while LoRA is attached (the base stays frozen). */
  trainableParams(): Map<string, tf.Variable> {
    return this.lora ? this.lora.params : this.params;
  }

  /** Attaches fresh (or given) LoRA adapters; from now on the base weights are frozen. */
  attachLora(settings: LoraSettings, weights?: Map<string, Float32Array>): LoraAdapters {
    this.lora?.dispose();
    this.lora = new LoraAdapters(this.config, settings, weights);
    return this.lora;
  }

  /** Folds the adapters into the base weights (W += A·B·scale) and detaches them: a plain model again. */
  mergeLora(): void {
    const lora = this.lora;
    if (!lora) return;
    for (const module of lora.modules()) {
      const w = this.p(`${module}.weight`);
      const merged = tf.tidy(() => tf.add(w, lora.deltaWeight(module)));
      w.assign(merged);
      merged.dispose();
    }
    lora.dispose();
    this.lora = null;
    this.clearInferenceCache();
  }

  /**
   * The base model over the same weight variables, without adapters: LoRA's reference policy, at no extra weight
   * memory. Disposing the view frees nothing of this model's. A view may take adapters of its own (PPO's LoRA critic
   * over the RM's weights).
   */
  baseView(): GPT {
    return new GPT(this.config, { sharedWith: this });
  }

  /** Base weights are read without gradient when they cannot train: adapters attached, or a view's borrowed weights. */
  private get frozenBase(): boolean {
    return this.lora !== null || this.weightsOwner !== null;
  }

  /** One block projection x·W + b, plus its adapter's delta when one is attached and wanted. */
  private project(module: string, x: tf.Tensor2D, adapters: boolean): tf.Tensor2D {
    const w = this.p(`${module}.weight`) as tf.Tensor2D;
    const b = this.p(`${module}.bias`) as tf.Tensor1D;
    if (!this.frozenBase) return linear(x, w, b);
    const y = frozenLinear(x, w, b);
    const delta = adapters ? this.lora?.delta(module, x) : null;
    return delta ? tf.add(y, delta) : y;
  }

  numParams(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Parameters an optimizer trains: numParams(), or the adapters' count with LoRA. */
  numTrainableParams(): number {
    let n = 0;
    for (const v of this.trainableParams().values()) n += v.size;
    return n;
  }

  /** Token + position embeddings as [B·T, D]. */
  private embed(ids: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor2D {
    const flatIds = tf.reshape(tf.cast(ids, "int32"), [-1]);
    const flatPos = tf.reshape(tf.cast(positions, "int32"), [-1]);
    return tf.add(gatherRows(this.p("wte.weight") as tf.Tensor2D, flatIds as tf.Tensor1D), gatherRows(this.p("wpe.weight") as tf.Tensor2D, flatPos as tf.Tensor1D)) as tf.Tensor2D;
  }

  /** One pre-LN block on x [B·Tq, D]; with a cache, keys/values of earlier positions are prepended. */
  private block(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, batch: number, tq: number, past?: { k: tf.Tensor3D; v: tf.Tensor3D } | null, adapters = true) {
    const c = this.config;
    const D = c.n_embd;
    const p = `h.${i}.`;
    const h = layerNorm(x, this.p(`${p}ln_1.weight`) as tf.Tensor1D, this.p(`${p}ln_1.bias`) as tf.Tensor1D, c.layer_norm_epsilon);
    const qkv = this.project(`${p}attn.c_attn`, h, adapters);
    const [q, kNew, vNew] = splitColumns(qkv, 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    let k = kNew;
    let v = vNew;
    let tk = tq;
    let present: { k: tf.Tensor3D; v: tf.Tensor3D } | undefined;
    if (past === null) {
      // First cached call: the new positions' keys/values become the cache.
      present = { k: tf.reshape(kNew, [batch, tq, D]) as tf.Tensor3D, v: tf.reshape(vNew, [batch, tq, D]) as tf.Tensor3D };
    } else if (past) {
      const kAll = tf.concat([past.k, tf.reshape(kNew, [batch, tq, D])], 1) as tf.Tensor3D;
      const vAll = tf.concat([past.v, tf.reshape(vNew, [batch, tq, D])], 1) as tf.Tensor3D;
      tk = kAll.shape[1];
      k = tf.reshape(kAll, [batch * tk, D]);
      v = tf.reshape(vAll, [batch * tk, D]);
      present = { k: kAll, v: vAll };
    }
    const att = causalSelfAttention(q, k, v, bias, { batch, tq, tk, nHead: c.n_head });
    x = tf.add(x, this.project(`${p}attn.c_proj`, att, adapters));
    const h2 = layerNorm(x, this.p(`${p}ln_2.weight`) as tf.Tensor1D, this.p(`${p}ln_2.bias`) as tf.Tensor1D, c.layer_norm_epsilon);
    const fc = gelu(this.project(`${p}mlp.c_fc`, h2, adapters));
    x = tf.add(x, this.project(`${p}mlp.c_proj`, fc, adapters));
    return { x, present };
  }

  /**
   * Activation recomputation (gradient checkpointing): when on, a block keeps only its input between the forward and
   * the backward pass, and the backward pass runs the block again to get its gradients. Activations then cost one
   * D-wide row per token per layer, plus one block's worth at a time (about 74·D), instead of 74·D for every layer:
   * what lets a GPT-2-small-sized DPO step fit the 4 GiB wasm heap. Costs about one more forward pass.
   */
  gradientCheckpointing = false;

  /** Block i's trainable variables (its weights, or its LoRA adapters while attached): the custom op's inputs after x. */
  private blockTrainables(i: number): tf.Variable[] {
    return [...this.trainableParams()].filter(([n]) => n.startsWith(`h.${i}.`)).map(([, v]) => v);
  }

  private recomputedBlock(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, batch: number, t: number, adapters: boolean): tf.Tensor2D {
    const vars = this.blockTrainables(i);
    const op = tf.customGrad(((...args: unknown[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xi, bi] = args as [tf.Tensor2D, tf.Tensor4D];
      // Outside any gradient tape here (a custom op's forward is not recorded): only the output survives. The
      // attention bias is saved with x: the caller's tidy frees its own copy long before the backward pass.
      const value = tf.tidy(() => this.block(i, xi, bi, batch, t, undefined, adapters).x);
      save([xi, bi]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const [xs, bs] = saved as [tf.Tensor2D, tf.Tensor4D];
            // The block again, this time on a tape: gradients of Σ dy·block(x) for x and for the block's weights.
            // tfjs keeps one tape per engine and a nested gradients() call replaces it (then sets it to null), so the
            // outer backward pass's tape is put back afterwards, or its own clean-up would find none.
            const engine = tf.engine() as unknown as { state: { activeTape: unknown } };
            const outerTape = engine.state.activeTape;
            const xVar = tf.variable(xs, true);
            try {
              const { grads } = tf.variableGrads(() => tf.sum(tf.mul(this.block(i, xVar as unknown as tf.Tensor2D, bs, batch, t, undefined, adapters).x, dy)) as tf.Scalar, [xVar, ...vars]);
              return [grads[xVar.name]!, tf.zerosLike(bs), ...vars.map((v) => grads[v.name] ?? tf.zerosLike(v))];
            } finally {
              xVar.dispose();
              engine.state.activeTape = outerTape;
            }
          }),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
    return op(x, bias, ...vars) as tf.Tensor2D;
  }

  private checkLength(t: number): void {
    if (t > this.config.n_positions) {
      throw new Error(`sequence of ${t} tokens exceeds the model's context (n_positions=${this.config.n_positions})`);
    }
  }

  private finalNorm(x: tf.Tensor2D): tf.Tensor2D {
    return layerNorm(x, this.p("ln_f.weight") as tf.Tensor1D, this.p("ln_f.bias") as tf.Tensor1D, this.config.layer_norm_epsilon);
  }

  /** The tied LM head on 2-D hidden states: x·wteᵀ, transposed explicitly so the matMul stays on wasm's fast path. */
  lmHead(hidden2d: tf.Tensor2D): tf.Tensor2D {
    // A frozen wte cannot change between steps, so its cached transpose serves training too (no gradient for it).
    if (this.frozenBase) return frozenLinear(hidden2d, this.lmHeadWeightT());
    return linear(hidden2d, tf.transpose(this.p("wte.weight")) as tf.Tensor2D);
  }

  private headTCache: { source: object; t: tf.Tensor2D } | null = null;

  /**
   * wteᵀ for inference, kept on the model while wte is unchanged (an optimizer step swaps wte's data and so
   * invalidates it). Generation needs it every token; recomputing it per call costs a transpose plus XNNPACK's
   * re-packing of the weights (~1 s for GPT-2's 38M values). Not differentiable; freed by dispose() or
   * clearInferenceCache(). Costs one tensor in tf.memory() while held.
   */
  lmHeadWeightT(): tf.Tensor2D {
    // A view shares its owner's cache: one wteᵀ for policy and reference.
    if (this.weightsOwner) return this.weightsOwner.lmHeadWeightT();
    const wte = this.p("wte.weight");
    if (this.headTCache && this.headTCache.source === wte.dataId && !this.headTCache.t.isDisposed) return this.headTCache.t;
    this.clearInferenceCache();
    // keep(): this is usually called inside forwardCached's tidy, which must not dispose the cache.
    const t = tf.keep(tf.tidy(() => tf.transpose(wte) as tf.Tensor2D));
    this.headTCache = { source: wte.dataId, t };
    return t;
  }

  clearInferenceCache(): void {
    this.headTCache?.t.dispose();
    this.headTCache = null;
  }

  /** Final hidden states [B,T,D] (after ln_f). */
  hiddenStates(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      this.checkLength(T);
      const positions = opts.positionIds ?? positionsFromMask(opts.attentionMask ?? null, B, T);
      const bias = attentionBias(opts.attentionMask ?? null, B, T, T);
      let x = this.embed(ids, positions);
      for (let i = 0; i < this.config.n_layer; i++) {
        const adapters = opts.adapters !== false;
        x = this.gradientCheckpointing ? this.recomputedBlock(i, x, bias, B, T, adapters) : this.block(i, x, bias, B, T, undefined, adapters).x;
      }
      return tf.reshape(this.finalNorm(x), [B, T, this.config.n_embd]) as tf.Tensor3D;
    });
  }

  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): { logits: tf.Tensor3D; hidden: tf.Tensor3D } {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const hidden = this.hiddenStates(ids, opts);
      const logits = tf.reshape(this.lmHead(tf.reshape(hidden, [B * T, this.config.n_embd])), [B, T, this.config.vocab_size]) as tf.Tensor3D;
      return { logits, hidden };
    });
  }

  /**
   * Incremental forward for generation: runs only the new positions, attending to cached keys/values.
   * attentionMask covers past + new positions [B, Tpast+Tnew]. The returned cache is new; the caller disposes the
   * old one (disposeCache). lastOnly returns logits of the last position only ([B,1,V]), enough for sampling.
   */
  forwardCached(ids: tf.Tensor2D, cache: KVCache | null, opts: CachedForwardOptions): { logits: tf.Tensor3D; cache: KVCache } {
    const c = this.config;
    const [B, tq] = ids.shape;
    const past = cache?.length ?? 0;
    const tk = past + tq;
    this.checkLength(tk);
    const mask = opts.attentionMask;
    if (mask && mask.shape[1] !== tk) throw new Error(`forwardCached: attentionMask must cover ${tk} positions (got ${mask.shape[1]})`);
    if (!mask && (!opts.positionIds || !opts.bias)) throw new Error("forwardCached: pass attentionMask, or both positionIds and bias");
    const out = tf.tidy(() => {
      const positions = opts.positionIds ?? (tf.slice(positionsFromMask(mask!, B, tk), [0, past], [B, tq]) as tf.Tensor2D);
      const bias = opts.bias ?? attentionBias(mask!, B, tq, tk);
      let x = this.embed(ids, positions);
      const keys: tf.Tensor3D[] = [];
      const values: tf.Tensor3D[] = [];
      for (let i = 0; i < c.n_layer; i++) {
        const pastKV = cache ? { k: cache.keys[i]!, v: cache.values[i]! } : null;
        const r = this.block(i, x, bias, B, tq, pastKV, opts.adapters !== false);
        x = r.x;
        keys.push(r.present!.k);
        values.push(r.present!.v);
      }
      let h = this.finalNorm(x);
      let rows = tq;
      if (opts.lastOnly && tq > 1) {
        h = tf.reshape(tf.slice(tf.reshape(h, [B, tq, c.n_embd]), [0, tq - 1, 0], [B, 1, c.n_embd]), [B, c.n_embd]);
        rows = 1;
      }
      const head = linear(h, opts.headT ?? this.lmHeadWeightT());
      const logits = tf.reshape(head, [B, rows, c.vocab_size]) as tf.Tensor3D;
      return { logits, keys, values };
    });
    return { logits: out.logits, cache: { keys: out.keys, values: out.values, length: tk } };
  }

  dispose(): void {
    this.clearInferenceCache();
    this.lora?.dispose();
    this.lora = null;
    // A view's variables belong to its owner.
    if (!this.weightsOwner) for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

export function disposeCache(cache: KVCache | null | undefined): void {
  if (!cache) return;
  tf.dispose([...cache.keys, ...cache.values]);
}

/** Position ids from a padding mask: cumsum(mask) − 1 clipped at 0; plain 0..T−1 without a mask. */
export function positionsFromMask(mask: tf.Tensor2D | null, batch: number, t: number): tf.Tensor2D {
  return tf.tidy(() => {
    if (!mask) return tf.tile(tf.reshape(tf.range(0, t, 1, "int32"), [1, t]), [batch, 1]) as tf.Tensor2D;
    const csum = tf.cumsum(tf.cast(mask, "float32"), 1);
    return tf.cast(tf.maximum(tf.sub(csum, 1), 0), "int32") as tf.Tensor2D;
  });
}
