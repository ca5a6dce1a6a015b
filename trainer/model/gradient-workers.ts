// Data-parallel gradients for any trainer: the main thread and N worker_threads (own wasm backends) each compute the
// gradient of the same loss function on their shard of a batch; the weighted sum comes back as one gradient Map.
//
// API:
//   const dp = await GradientWorkers.start({config, headDim?, lossModule, lossExport, workers = 1, backend = 'wasm'})
//   const {loss, grads} = await dp.computeGrads(model, head | undefined, shards, weights)
//        shards[0] runs on the calling thread, shards[1..] on the workers (shards.length must be workers + 1);
//        loss = Σ weights[i]·loss_i and grads = Σ weights[i]·∇loss_i (e.g. weights = tokens_i / tokens for a mean
//        over tokens, so the result equals the full-batch gradient); the caller disposes the grads.
//   dp.close()
// The loss is `export function <lossExport>(model: GPT, head: ScalarHead | undefined, shard): tf.Scalar` in an ES
// module that both threads import (a file URL or path); shards must be structured-cloneable (typed arrays, plain
// objects). Parameters travel through shared memory every call, so the caller keeps using its own model and Adam.
// Why: wasm threads do not work in Node, so one process otherwise trains on one core (shared/notes/tfjs.md).

import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.js";
import { type GPT, paramShapes } from "./gpt.js";
import type { ScalarHead } from "./heads.js";
import { computeGrads } from "./adam.js";

export type ShardLoss = (model: GPT, head: ScalarHead | undefined, shard: unknown) => tf.Scalar;

export interface GradientWorkersOptions {
  config: GPTConfig;
  headDim?: number | null; // n_embd when the loss uses a ScalarHead (score.weight/score.bias are then synced too)
  lossModule: string;
  lossExport: string;
  workers?: number;
  backend?: string;
}

/** The parameter names, shapes and flat offsets shared by the main thread and the workers. */
export function parameterLayout(config: GPTConfig, headDim: number | null | undefined) {
  const entries: [string, number[]][] = [...paramShapes(config)];
  if (headDim) entries.push(["score.weight", [headDim, 1]], ["score.bias", [1]]);
  const offsets: number[] = [];
  let total = 0;
  for (const [, shape] of entries) {
    offsets.push(total);
    total += shape.reduce((a, b) => a * b, 1);
  }
  return { entries, offsets, total };
}

export function moduleUrl(pathOrUrl: string): string {
  return /^[a-z]+:\/\//i.test(pathOrUrl) || pathOrUrl.startsWith("file:") ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}

export class GradientWorkers {
  private constructor(
    private readonly workers: Worker[],
    private readonly loss: ShardLoss,
    private readonly layout: ReturnType<typeof parameterLayout>,
    private readonly params: Float32Array,
    private readonly grads: Float32Array[],
  ) {}

  static async start(o: GradientWorkersOptions): Promise<GradientWorkers> {
    const n = o.workers ?? 1;
    const layout = parameterLayout(o.config, o.headDim);
    const paramsBuf = new SharedArrayBuffer(layout.total * 4);
    const gradBufs = Array.from({ length: n }, () => new SharedArrayBuffer(layout.total * 4));
    const url = moduleUrl(o.lossModule);
    const mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    const loss = mod[o.lossExport];
    if (typeof loss !== "function") throw new Error(`gradient workers: ${o.lossModule} exports no function '${o.lossExport}'`);
    const entry = new URL("./gradient-worker-entry.mjs", import.meta.url);
    const workers = await Promise.all(
      gradBufs.map(
        (grads, rank) =>
          new Promise<Worker>((resolve, reject) => {
            const w = new Worker(entry, {
              workerData: { rank, config: o.config, headDim: o.headDim ?? null, lossModule: url, lossExport: o.lossExport, backend: o.backend ?? "wasm", params: paramsBuf, grads },
              env: { ...process.env, RLHF_QUIET_BACKEND: "1" },
            });
            w.once("message", (m: { type: string; message?: string }) => (m.type === "ready" ? resolve(w) : reject(new Error(`gradient worker ${rank}: ${m.message}`))));
            w.once("error", (e) => reject(new Error(`gradient worker ${rank} failed to start: ${e.message}`)));
          }),
      ),
    );
    return new GradientWorkers(workers, loss as ShardLoss, layout, new Float32Array(paramsBuf), gradBufs.map((b) => new Float32Array(b)));
  }

  get size(): number {
    return this.workers.length;
  }

  async computeGrads(model: GPT, head: ScalarHead | undefined, shards: unknown[], weights: number[]): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
    if (shards.length !== this.workers.length + 1 || weights.length !== shards.length) {
      throw new Error(`gradient workers: need ${this.workers.length + 1} shards and as many weights (got ${shards.length} and ${weights.length})`);
    }
    const all = new Map<string, tf.Variable>([...model.params, ...(head ? head.params : [])]);
    const { entries, offsets } = this.layout;
    entries.forEach(([name], i) => this.params.set(all.get(name)!.dataSync() as Float32Array, offsets[i]));
    const pending = this.workers.map(
      (w, i) =>
        new Promise<number>((resolve, reject) => {
          const onMessage = (m: { type: string; loss?: number; message?: string }) => {
            w.off("error", onError);
            if (m.type === "done") resolve(m.loss!);
            else reject(new Error(`gradient worker ${i}: ${m.message}`));
          };
          const onError = (e: Error) => {
            w.off("message", onMessage);
            reject(new Error(`gradient worker ${i} crashed: ${e.message}`));
          };
          w.once("message", onMessage);
          w.once("error", onError);
          w.postMessage({ type: "step", shard: shards[i + 1] });
        }),
    );
    // The calling thread works on shard 0 meanwhile.
    const own = computeGrads(() => this.loss(model, head, shards[0]), all);
    const ownLoss = (await own.loss.data())[0]!;
    own.loss.dispose();
    const losses = await Promise.all(pending);
    const grads = new Map<string, tf.Tensor>();
    entries.forEach(([name, shape], i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const mine = own.grads.get(name);
      grads.set(
        name,
        tf.tidy(() => {
          let g: tf.Tensor = mine ? tf.mul(mine, weights[0]!) : tf.zeros(shape);
          this.grads.forEach((buf, w) => {
            g = tf.add(g, tf.mul(tf.tensor(buf.slice(offsets[i]!, offsets[i]! + size), shape, "float32"), weights[w + 1]!));
          });
          return g;
        }),
      );
    });
    tf.dispose([...own.grads.values()]);
    const loss = weights[0]! * ownLoss + losses.reduce((s, l, i) => s + weights[i + 1]! * l, 0);
    return { loss, grads };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
