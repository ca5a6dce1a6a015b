// Data parallelism as the trainers use it: one compute thread per core by default (RLHF_WORKERS overrides, 1 turns it
// off), each micro-batch split into shards whose weighted gradients add up to the single-thread gradient, and
// gradient accumulation over micro-batches on top.
//
// API:
//   dataParallelThreads(backend, env?) -> total compute threads (main + worker threads); one-line error on bad input
//   const dp = await DataParallel.start({replicas, loss: {module, name}, backend, threads?, log?})
//   dp.threads                        compute threads; split each micro-batch into at most this many shards
//   dp.params                         the trainable variables by name (what Adam should update)
//   const {loss, grads, outputs} = await dp.accumulatedGrads(micro: {shards, weights}[])
//        = Σ_m (1/M)·Σ_i weights[i]·loss(shard_i), and its gradient; outputs[m][i] is shard i's `out` object
//        ({absolute: true}: the weights are already each shard's share of the whole step, no 1/M)
//   const result = await dp.generate(prompts, opts, tok, replica = 0)
//        samples with the replica's current weights, the prompt rows split over the threads (see splitGeneration)
//   const outs = await dp.evaluateElsewhere(exportName, shards)
//        a forward-only export of the loss module (ShardEval) on the worker threads, so the main thread can run the
//        frozen models meanwhile; with one thread it runs here, at once
//   const results = await dp.split(items, threads => module, exportName, opts)
//        a ReplicaTask (gradient-workers.ts) over contiguous parts of `items`, part 0 on this thread and the others
//        on the workers, results concatenated in item order (e.g. `rlhf sample`'s prompts)
//   await dp.close()
//   balancedRanges(costs, parts) -> contiguous [start, end) ranges of items with about equal summed cost
// With one thread no worker starts, and the loss runs on the main thread alone: RLHF_WORKERS=1 is today's trainer.

import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { computeGrads } from "./adam.js";
import { GradientWorkers, moduleUrl, noLoss, type PortableGenerateOptions, type Replica, type ReplicaModels, type ReplicaTask, replicaLayout, type ShardEval, type ShardLoss, variableOf } from "./gradient-workers.js";
import { generate, type GenerateResult } from "../generate/index.js";
import type { Tokenizer } from "../tokenizer/types.js";

/**
 * Compute threads for training: RLHF_WORKERS when set, else one per core on wasm (whose own threads do not work in
 * Node) and 1 on other backends (native TensorFlow and WebGPU already use every core or a GPU).
 */
export function dataParallelThreads(backend: string, env: Record<string, string | undefined> = process.env): number {
  const raw = env.RLHF_WORKERS?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`RLHF_WORKERS must be a whole number from 1 to 256 (got '${raw}')`);
    return n;
  }
  return backend === "wasm" ? Math.max(1, os.availableParallelism()) : 1;
}

/** Contiguous ranges over items, at most `parts` of them, none empty, each with about the same total cost. */
export function balancedRanges(costs: readonly number[], parts: number): Array<[number, number]> {
  const n = costs.length;
  const k = Math.max(1, Math.min(parts, n));
  const total = costs.reduce((a, b) => a + b, 0);
  const out: Array<[number, number]> = [];
  let start = 0;
  let acc = 0;
  for (let p = 0; p < k; p++) {
    if (p === k - 1) {
      out.push([start, n]);
      break;
    }
    // Leave at least one item for each part still to come; stop where the running cost is closest to its target.
    const target = (total * (p + 1)) / k;
    let end = start + 1;
    acc += costs[start]!;
    while (end < n - (k - 1 - p) && Math.abs(acc + costs[end]! - target) <= Math.abs(acc - target)) acc += costs[end++]!;
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** Row indices split into `threads` contiguous parts of about equal token count (`tokensOf(row)`): one per thread. */
export function splitRowsByTokens(rows: readonly number[], tokensOf: (row: number) => number, threads: number): number[][] {
  return balancedRanges(rows.map(tokensOf), threads).map(([a, b]) => rows.slice(a, b));
}

export interface ShardedBatch {
  shards: unknown[];
  weights: number[];
}

export interface DataParallelOptions {
  replicas: Replica[];
  /** The loss as a named export of a module both threads import (see gradient-workers.ts); absent to only sample. */
  loss?: { module: string; name: string };
  backend: string;
  /** Total compute threads; dataParallelThreads(backend) when absent. */
  threads?: number;
  log?: (line: string) => void;
}

export class DataParallel {
  private constructor(
    readonly threads: number,
    readonly params: Map<string, tf.Variable>,
    private readonly models: ReplicaModels[],
    private readonly loss: ShardLoss,
    private readonly pool: GradientWorkers | null,
    private readonly lossModule: Record<string, unknown>,
  ) {}

  static async start(o: DataParallelOptions): Promise<DataParallel> {
    const threads = o.threads ?? dataParallelThreads(o.backend);
    const models = o.replicas.map((r) => ({ gpt: r.gpt, head: r.head }));
    if (threads <= 1) {
      const mod = o.loss ? ((await import(/* @vite-ignore */ moduleUrl(o.loss.module))) as Record<string, unknown>) : {};
      const loss = o.loss ? mod[o.loss.name] : noLoss;
      if (typeof loss !== "function") throw new Error(`data parallel: ${o.loss!.module} exports no function '${o.loss!.name}'`);
      const params = new Map(replicaLayout(o.replicas).trainable.map((e) => [e.name, variableOf(models, e)]));
      o.log?.("data-parallel: 1 thread (RLHF_WORKERS=1 or a backend that uses every core itself)");
      return new DataParallel(1, params, models, loss as ShardLoss, null, mod);
    }
    const started = Date.now();
    const pool = await GradientWorkers.start({ replicas: o.replicas, lossModule: o.loss?.module, lossExport: o.loss?.name, workers: threads - 1, backend: o.backend });
    o.log?.(`data-parallel: ${threads} threads (main + ${threads - 1} worker${threads > 2 ? "s" : ""}, started in ${((Date.now() - started) / 1000).toFixed(1)} s; RLHF_WORKERS=1 turns it off)`);
    return new DataParallel(threads, pool.params, models, pool.computeGrads.bind(pool) as never, pool, {});
  }

  /** One micro-batch: its shards' weighted loss and gradients. */
  private async microGrads(b: ShardedBatch): Promise<{ loss: number; grads: Map<string, tf.Tensor>; outputs: Record<string, unknown>[] }> {
    if (this.pool) return this.pool.computeGrads(b.shards, b.weights);
    // One thread: shard by shard, weighted and summed (a trainer passes one shard per micro-batch here).
    let total: { loss: number; grads: Map<string, tf.Tensor> } | null = null;
    const outputs: Record<string, unknown>[] = [];
    b.shards.forEach((shard, i) => {
      const out: Record<string, unknown> = {};
      const w = b.weights[i]!;
      const r = computeGrads(() => (w === 1 ? this.loss(this.models, shard, out) : (tf.mul(this.loss(this.models, shard, out), w) as tf.Scalar)), this.params);
      outputs.push(out);
      const loss = r.loss.dataSync()[0]!;
      r.loss.dispose();
      total = total ? { loss: total.loss + loss, grads: addInto(total.grads, r.grads) } : { loss, grads: r.grads };
    });
    return { ...total!, outputs };
  }

  /** Mean over micro-batches of each one's weighted shard losses, and its gradient (HF Trainer's accumulation rule). */
  async accumulatedGrads(micro: readonly ShardedBatch[], opts: { absolute?: boolean } = {}): Promise<{ loss: number; grads: Map<string, tf.Tensor>; outputs: Record<string, unknown>[][] }> {
    const m = opts.absolute ? 1 : micro.length;
    let total: { loss: number; grads: Map<string, tf.Tensor> } | null = null;
    const outputs: Record<string, unknown>[][] = [];
    for (const b of micro) {
      const r = await this.microGrads(m === 1 ? b : { shards: b.shards, weights: b.weights.map((w) => w / m) });
      outputs.push(r.outputs);
      total = total ? { loss: total.loss + r.loss, grads: addInto(total.grads, r.grads) } : { loss: r.loss, grads: r.grads };
    }
    return { ...total!, outputs };
  }

  /**
   * Samples for a batch of prompts with the replica's current weights, its rows split over the threads in contiguous
   * parts of about equal size. Sampling draws one random stream per generate call, so part i > 0 draws from its own
   * seed (splitGeneration): the samples are fixed by the seed and the thread count, and one thread gives exactly what
   * a plain generate() call gives.
   */
  async generate(prompts: number[][], opts: PortableGenerateOptions, tok: Tokenizer, replica = 0): Promise<GenerateResult> {
    if (!this.pool || prompts.length < 2) return generate(this.models[replica]!.gpt, tok, prompts, opts);
    const parts = splitGeneration(prompts, opts, this.threads);
    const results = await this.pool.generate(parts, tok, replica);
    return {
      tokens: results.flatMap((r) => r.tokens),
      finished: results.flatMap((r) => r.finished),
      ...(opts.returnLogprobs ? { logprobs: results.flatMap((r) => r.logprobs ?? []) } : {}),
    };
  }

  /**
   * Runs a forward-only export of the loss module on every shard: on the worker threads (the returned promise settles
   * when they are done, so the caller runs other models meanwhile), or here and now with one thread.
   */
  evaluateElsewhere(exportName: string, shards: readonly unknown[]): Promise<Record<string, unknown>[]> {
    if (this.pool) return this.pool.evaluate(exportName, shards);
    const fn = this.lossModule[exportName] as ShardEval | undefined;
    if (typeof fn !== "function") return Promise.reject(new Error(`data parallel: the loss module exports no function '${exportName}'`));
    return Promise.resolve(
      shards.map((shard) => {
        const out: Record<string, unknown> = {};
        tf.tidy(() => fn(this.models, shard, out));
        return out;
      }),
    );
  }

  /**
   * Runs a task of a module both threads import over `items` split into contiguous parts (one per thread, about
   * equal in count): part 0 here, the others on the workers. The task maps its part's items to one result each;
   * the results come back in item order. Meant for work whose result per item does not depend on its neighbours.
   */
  async split<I, R>(items: readonly I[], task: { module: string; name: string }, args: (part: I[]) => unknown = (part) => part): Promise<R[]> {
    const ranges = balancedRanges(items.map(() => 1), this.pool ? this.threads : 1);
    const parts = ranges.map(([a, b]) => items.slice(a, b));
    const fn = ((await import(/* @vite-ignore */ moduleUrl(task.module))) as Record<string, unknown>)[task.name] as ReplicaTask | undefined;
    if (typeof fn !== "function") throw new Error(`data parallel: ${task.module} exports no function '${task.name}'`);
    const elsewhere = this.pool && parts.length > 1 ? this.pool.call(task.module, task.name, parts.slice(1).map(args)) : Promise.resolve([]);
    elsewhere.catch(() => {}); // awaited below; not unhandled while this thread works
    const own = (await fn(this.models, args(parts[0] ?? []))) as R[];
    return [own, ...((await elsewhere) as R[][])].flat() as R[];
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/** Rows split into `threads` contiguous parts of about equal size; part i > 0 samples from seed + i·1,000,003. */
export function splitGeneration(prompts: number[][], opts: PortableGenerateOptions, threads: number): Array<{ prompts: number[][]; opts: PortableGenerateOptions }> {
  return balancedRanges(prompts.map(() => 1), threads).map(([a, b], i) => ({ prompts: prompts.slice(a, b), opts: i === 0 ? opts : { ...opts, seed: (opts.seed ?? 0) + i * 1_000_003 } }));
}

/** Adds `part` into `sum` name by name, disposing both inputs' replaced tensors; returns `sum`. */
function addInto(sum: Map<string, tf.Tensor>, part: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  for (const [name, g] of part) {
    const prev = sum.get(name);
    sum.set(name, prev ? tf.add(prev, g) : g);
    if (prev) tf.dispose([prev, g]);
  }
  return sum;
}
