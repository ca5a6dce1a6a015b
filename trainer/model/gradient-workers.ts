// Data-parallel gradients for any trainer: the main thread and N worker_threads (own wasm backends) each compute the
// gradient of the same loss function on their shard of a batch; the weighted sum comes back as one gradient Map.
//
// API:
//   const dp = await GradientWorkers.start({replicas, lossModule, lossExport, workers = 1, backend = 'wasm'})
//        replicas: the trainable models a loss reads, [{gpt, head?, prefix?, headPrefix?}] (PPO with a separate critic
//        passes two). Each worker builds its own copy: a GPT with the same config, LoRA adapters (same settings) and
//        scalar head. What trains (every weight, or the adapters alone with LoRA, plus the head) is synced every call;
//        a LoRA model's frozen base weights are sent once, at start.
//   const {loss, grads, outputs} = await dp.computeGrads(shards, weights)
//        shards[0] runs on the calling thread, shards[1..] on the workers (at most workers + 1 shards);
//        loss = Σ weights[i]·loss_i and grads = Σ weights[i]·∇loss_i (e.g. weights = tokens_i / tokens for a mean
//        over tokens, so the result equals the full-batch gradient); a parameter no shard reached has no gradient,
//        as with one thread. outputs[i] is what the loss wrote into its `out` object. The caller disposes the grads.
//   dp.params: the trainable variables by their names (prefix + model name, prefix + headPrefix + head name)
//   const results = await dp.generate(parts: {prompts, opts}[], tok, replica = 0)
//        samples with the replica's current weights: parts[0] on the calling thread, parts[1..] on the workers
//        (trainer/generate's generate(), one call per part); results in the order of the parts
//   const outs = await dp.evaluate(exportName, shards)
//        runs another export of the loss module, (replicas, shard, out) => void, with no gradient on the workers only
//        (shards dealt out in turn), with the current weights: forward passes the main thread need not wait for
//   const results = await dp.call(module, exportName, argsPerWorker)
//        runs `export async function <exportName>(replicas, args)` of any module on worker i with argsPerWorker[i]
//        (with the current weights), for work that is neither a gradient nor a forward pass (batched sampling)
//   dp.close()
// The loss is `export function <lossExport>(replicas: {gpt, head?}[], shard, out): tf.Scalar` in an ES module that
// both threads import (a file URL or path); shards and `out` must be structured-cloneable (typed arrays, plain
// objects). Frozen models a loss needs (a reference policy) are not replicated: their outputs travel in the shard.
// Gradient checkpointing and adapter dropout follow the main thread's models on every call.
// Why: wasm threads do not work in Node, so one process otherwise trains on one core (shared/notes/tfjs.md).

import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.js";
import { type GPT, paramShapes } from "./gpt.js";
import type { ScalarHead } from "./heads.js";
import type { LoraSettings } from "./lora.js";
import { computeGrads } from "./adam.js";
import { generate, type GenerateOptions, type GenerateResult } from "../generate/index.js";
import type { Tokenizer } from "../tokenizer/types.js";

/** A trainable model as the trainer holds it; names in the gradient Map are prefix + its own parameter names. */
export interface Replica {
  gpt: GPT;
  head?: ScalarHead;
  prefix?: string;
  /** Put between prefix and the head's names (`score.weight`), as forward.namedParams' headPrefix. */
  headPrefix?: string;
}

/** What a loss sees: each replica's models, in the order they were given. */
export interface ReplicaModels {
  gpt: GPT;
  head?: ScalarHead;
}

export type ShardLoss = (replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>) => tf.Scalar;

/** Work of any kind on a thread's replicas (e.g. sampling), as a named export of a module both threads import. */
export type ReplicaTask = (replicas: ReplicaModels[], args: unknown) => Promise<unknown>;

/** A forward-only companion of a shard loss, exported by the same module: it writes what it computes into `out`. */
export type ShardEval = (replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>) => void;

/** One tensor of the layout: which replica, which part, its own name there, its global name and place in a buffer. */
export interface LayoutEntry {
  replica: number;
  part: "gpt" | "lora" | "head";
  local: string;
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface ReplicaSpec {
  config: GPTConfig;
  lora: LoraSettings | null;
  headDim: number | null;
}

export interface ReplicaLayout {
  specs: ReplicaSpec[];
  /** Synced before every call (params) and written back by the workers (grads). */
  trainable: LayoutEntry[];
  trainableTotal: number;
  /** Sent once at start: a LoRA model's base weights. */
  frozen: LayoutEntry[];
  frozenTotal: number;
}

export interface GradientWorkersOptions {
  replicas: Replica[];
  /** The loss (absent for a pool that only samples). */
  lossModule?: string;
  lossExport?: string;
  workers?: number;
  backend?: string;
}

/** The parameter names, shapes and flat offsets shared by the main thread and the workers. */
export function replicaLayout(replicas: readonly Replica[]): ReplicaLayout {
  const trainable: LayoutEntry[] = [];
  const frozen: LayoutEntry[] = [];
  let trainableTotal = 0;
  let frozenTotal = 0;
  const add = (list: LayoutEntry[], e: Omit<LayoutEntry, "offset" | "size">) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (list === trainable) {
      list.push({ ...e, offset: trainableTotal, size });
      trainableTotal += size;
    } else {
      list.push({ ...e, offset: frozenTotal, size });
      frozenTotal += size;
    }
  };
  const specs = replicas.map((r, replica) => {
    const prefix = r.prefix ?? "";
    const lora = r.gpt.lora;
    for (const [local, shape] of paramShapes(r.gpt.config)) add(lora ? frozen : trainable, { replica, part: "gpt", local, name: prefix + local, shape });
    if (lora) for (const [local, v] of lora.params) add(trainable, { replica, part: "lora", local, name: prefix + local, shape: v.shape });
    if (r.head) for (const [local, v] of r.head.params) add(trainable, { replica, part: "head", local, name: prefix + (r.headPrefix ?? "") + local, shape: v.shape });
    return { config: r.gpt.config, lora: lora ? lora.settings : null, headDim: r.head ? r.head.nEmbd : null };
  });
  const names = new Set<string>();
  for (const e of trainable) {
    if (names.has(e.name)) throw new Error(`gradient workers: two trainable tensors are both named '${e.name}': give the replicas prefixes`);
    names.add(e.name);
  }
  return { specs, trainable, trainableTotal, frozen, frozenTotal };
}

/** The variable a layout entry names in a set of models (main thread or a worker's replicas). */
export function variableOf(models: readonly ReplicaModels[], e: LayoutEntry): tf.Variable {
  const m = models[e.replica]!;
  const v = e.part === "gpt" ? m.gpt.params.get(e.local) : e.part === "lora" ? m.gpt.lora?.params.get(e.local) : m.head?.params.get(e.local);
  if (!v) throw new Error(`gradient workers: replica ${e.replica} has no ${e.part} tensor ${e.local}`);
  return v;
}

export function moduleUrl(pathOrUrl: string): string {
  return /^[a-z]+:\/\//i.test(pathOrUrl) || pathOrUrl.startsWith("file:") ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}

/** The loss of a pool started without one: it only samples. */
export const noLoss: ShardLoss = () => {
  throw new Error("gradient workers: this pool was started without a loss");
};

/** The identity of a tensor's data: tfjs gives a variable new data on every assign. */
function dataIdOf(t: tf.Tensor): unknown {
  return (t as unknown as { dataId: unknown }).dataId;
}

/** Copies the current values of `entries` into a flat buffer. */
function writeValues(models: readonly ReplicaModels[], entries: readonly LayoutEntry[], into: Float32Array): void {
  for (const e of entries) into.set(variableOf(models, e).dataSync() as Float32Array, e.offset);
}

/** Per-call settings the replicas copy from the main thread's models. */
export interface StepFlags {
  checkpointing: boolean[];
  adapterTraining: boolean[];
}

interface DoneMessage {
  type: "done" | "error" | "ready";
  loss?: number;
  has?: boolean[];
  out?: Record<string, unknown>;
  result?: GenerateResult;
  outs?: Record<string, unknown>[];
  value?: unknown;
  message?: string;
}

/** Generation options that can travel to a worker (a streaming callback cannot). */
export type PortableGenerateOptions = Omit<GenerateOptions, "onToken">;

export class GradientWorkers {
  readonly params: Map<string, tf.Variable>;
  /**
   * Per trainable tensor: how many times its value was written to the shared buffer, and the data it held then. Only
   * tensors an optimizer step (or any assign) replaced are copied again, and a worker reloads only the tensors whose
   * version moved since it last loaded them (it may have sat out calls with fewer shards than threads).
   */
  private readonly versions: number[];
  private readonly written: unknown[];

  private constructor(
    private readonly workers: Worker[],
    private readonly loss: ShardLoss,
    private readonly models: ReplicaModels[],
    private readonly layout: ReplicaLayout,
    private readonly paramsView: Float32Array,
    private readonly grads: Float32Array[],
  ) {
    this.params = new Map(layout.trainable.map((e) => [e.name, variableOf(models, e)]));
    this.versions = layout.trainable.map(() => 0);
    this.written = layout.trainable.map((e) => dataIdOf(variableOf(models, e)));
  }

  /** Copies the trainable tensors that changed since the last call into the shared buffer; returns the versions. */
  private sync(): number[] {
    this.layout.trainable.forEach((e, k) => {
      const v = variableOf(this.models, e);
      if (dataIdOf(v) === this.written[k]) return;
      this.paramsView.set(v.dataSync() as Float32Array, e.offset);
      this.written[k] = dataIdOf(v);
      this.versions[k]!++;
    });
    return [...this.versions];
  }

  static async start(o: GradientWorkersOptions): Promise<GradientWorkers> {
    const n = o.workers ?? 1;
    const models = o.replicas.map((r) => ({ gpt: r.gpt, head: r.head }));
    const layout = replicaLayout(o.replicas);
    const paramsBuf = new SharedArrayBuffer(layout.trainableTotal * 4);
    const paramsView = new Float32Array(paramsBuf);
    writeValues(models, layout.trainable, paramsView);
    // The frozen base goes once; the workers copy it into their heaps, and the buffer is garbage once they have.
    let frozenBuf: SharedArrayBuffer | null = new SharedArrayBuffer(layout.frozenTotal * 4);
    writeValues(models, layout.frozen, new Float32Array(frozenBuf));
    const gradBufs = Array.from({ length: n }, () => new SharedArrayBuffer(layout.trainableTotal * 4));
    const url = o.lossModule ? moduleUrl(o.lossModule) : null;
    const loss = url ? ((await import(/* @vite-ignore */ url)) as Record<string, unknown>)[o.lossExport ?? ""] : noLoss;
    if (typeof loss !== "function") throw new Error(`gradient workers: ${o.lossModule} exports no function '${o.lossExport}'`);
    const entry = new URL("./gradient-worker-entry.mjs", import.meta.url);
    const started: Worker[] = [];
    try {
      await Promise.all(
        gradBufs.map(
          (grads, rank) =>
            new Promise<void>((resolve, reject) => {
              const w = new Worker(entry, {
                workerData: { rank, layout, lossModule: url, lossExport: o.lossExport, backend: o.backend ?? "wasm", params: paramsBuf, frozen: frozenBuf, grads },
                env: { ...process.env, RLHF_QUIET_BACKEND: "1" },
              });
              started.push(w);
              const onExit = (code: number) => reject(new Error(`gradient worker ${rank} exited with code ${code} while starting`));
              w.once("exit", onExit);
              w.once("message", (m: DoneMessage) => {
                w.off("exit", onExit);
                if (m.type === "ready") resolve();
                else reject(new Error(`gradient worker ${rank}: ${m.message}`));
              });
              w.once("error", (e) => reject(new Error(`gradient worker ${rank} failed to start: ${e.message}`)));
            }),
        ),
      );
    } catch (err) {
      await Promise.all(started.map((w) => w.terminate()));
      throw err;
    }
    frozenBuf = null;
    return new GradientWorkers(started, loss as ShardLoss, models, layout, paramsView, gradBufs.map((b) => new Float32Array(b)));
  }

  /** Worker threads (the main thread computes too, so a call takes up to size + 1 shards). */
  get size(): number {
    return this.workers.length;
  }

  flags(): StepFlags {
    return {
      checkpointing: this.models.map((m) => m.gpt.gradientCheckpointing),
      adapterTraining: this.models.map((m) => m.gpt.lora?.training ?? false),
    };
  }

  async computeGrads(shards: unknown[], weights: number[]): Promise<{ loss: number; grads: Map<string, tf.Tensor>; outputs: Record<string, unknown>[] }> {
    if (shards.length < 1 || shards.length > this.workers.length + 1 || weights.length !== shards.length) {
      throw new Error(`gradient workers: need 1 to ${this.workers.length + 1} shards and as many weights (got ${shards.length} and ${weights.length})`);
    }
    const { trainable } = this.layout;
    const versions = shards.length > 1 ? this.sync() : this.versions;
    const flags = this.flags();
    const pending = shards.slice(1).map((shard, i) => this.post(i, { type: "step", shard, flags, versions }));
    // The calling thread works on shard 0 meanwhile; a worker's failure must not leak its gradients.
    const own = this.ownGrads(shards[0]!);
    let results: DoneMessage[];
    try {
      results = await Promise.all(pending);
    } catch (err) {
      tf.dispose([...own.grads.values()]);
      throw err;
    }
    const grads = new Map<string, tf.Tensor>();
    trainable.forEach((e, k) => {
      const mine = own.grads.get(e.name);
      const fromWorkers = results.map((r, w) => (r.has![k] ? w : -1)).filter((w) => w >= 0);
      if (!mine && fromWorkers.length === 0) return;
      grads.set(
        e.name,
        tf.tidy(() => {
          // One weight of 1 (a single shard) keeps the tensor exactly as one thread computes it.
          let g: tf.Tensor | null = mine ? (weights[0] === 1 ? tf.clone(mine) : tf.mul(mine, weights[0]!)) : null;
          for (const w of fromWorkers) {
            const part = tf.mul(tf.tensor(this.grads[w]!.subarray(e.offset, e.offset + e.size), e.shape, "float32"), weights[w + 1]!);
            g = g ? tf.add(g, part) : part;
          }
          return g!;
        }),
      );
    });
    tf.dispose([...own.grads.values()]);
    const loss = weights[0]! * own.loss + results.reduce((s, r, i) => s + weights[i + 1]! * r.loss!, 0);
    return { loss, grads, outputs: [own.out, ...results.map((r) => r.out ?? {})] };
  }

  async generate(parts: ReadonlyArray<{ prompts: number[][]; opts: PortableGenerateOptions }>, tok: Tokenizer, replica = 0): Promise<GenerateResult[]> {
    if (parts.length < 1 || parts.length > this.workers.length + 1) throw new Error(`gradient workers: need 1 to ${this.workers.length + 1} generation parts (got ${parts.length})`);
    const versions = parts.length > 1 ? this.sync() : this.versions;
    const pending = parts.slice(1).map((part, i) => this.post(i, { type: "generate", versions, replica, tokenizer: tok.name, prompts: part.prompts, opts: part.opts }));
    let own: GenerateResult;
    try {
      own = await generate(this.models[replica]!.gpt, tok, parts[0]!.prompts, parts[0]!.opts);
    } finally {
      // Wait for the workers even when the main thread failed: their next message must answer the next request.
      const settled = await Promise.allSettled(pending);
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    return [own, ...(await Promise.all(pending)).map((m) => m.result!)];
  }

  async call(module: string, exportName: string, argsPerWorker: readonly unknown[]): Promise<unknown[]> {
    if (argsPerWorker.length > this.workers.length) throw new Error(`gradient workers: ${argsPerWorker.length} tasks for ${this.workers.length} workers`);
    const versions = this.sync();
    const answers = await Promise.all(argsPerWorker.map((args, w) => this.post(w, { type: "call", versions, module: moduleUrl(module), name: exportName, args })));
    return answers.map((a) => a.value);
  }

  async evaluate(exportName: string, shards: readonly unknown[]): Promise<Record<string, unknown>[]> {
    if (shards.length === 0) return [];
    const versions = this.sync();
    const n = this.workers.length;
    const dealt = this.workers.map((_, w) => shards.map((_, i) => i).filter((i) => i % n === w));
    const answers = await Promise.all(dealt.map((idx, w) => (idx.length ? this.post(w, { type: "evaluate", versions, name: exportName, shards: idx.map((i) => shards[i]) }) : Promise.resolve({ type: "done", outs: [] } as DoneMessage))));
    const outs: Record<string, unknown>[] = new Array(shards.length);
    dealt.forEach((idx, w) => idx.forEach((i, k) => (outs[i] = answers[w]!.outs![k]!)));
    return outs;
  }

  private ownGrads(shard: unknown): { loss: number; grads: Map<string, tf.Tensor>; out: Record<string, unknown> } {
    const out: Record<string, unknown> = {};
    const r = computeGrads(() => this.loss(this.models, shard, out), this.params);
    const loss = r.loss.dataSync()[0]!;
    r.loss.dispose();
    return { loss, grads: r.grads, out };
  }

  /** Posts one request to worker i and resolves with its answer (or rejects on its error, crash or exit). */
  private post(i: number, message: Record<string, unknown>): Promise<DoneMessage> {
    const w = this.workers[i]!;
    return new Promise<DoneMessage>((resolve, reject) => {
      const cleanup = () => {
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
      };
      const onMessage = (m: DoneMessage) => {
        cleanup();
        if (m.type === "done") resolve(m);
        else reject(new Error(`gradient worker ${i}: ${m.message}`));
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new Error(`gradient worker ${i} crashed: ${e.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`gradient worker ${i} exited with code ${code} (out of memory? set RLHF_WORKERS=1 to train on one thread)`));
      };
      w.on("message", onMessage);
      w.on("error", onError);
      w.on("exit", onExit);
      w.postMessage(message);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
