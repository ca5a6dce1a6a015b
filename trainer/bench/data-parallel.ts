// Runs GPT training steps data-parallel over worker_threads (one wasm backend each), sharing gradients in memory.
//
// API: runDataParallel({config, ids, targets, batch, workers = 2, seconds, maxSteps, warmupSteps = 3, lr, seed,
//                       backend = 'wasm'}) -> Promise<DataParallelResult>
// The batch is split by rows; worker w computes the mean loss and gradients of its rows, gradients are averaged
// (equal shards, so the average equals the full-batch gradient) and Adam (torch semantics) runs on the average.

import { Worker } from "node:worker_threads";
import type { GPTConfig } from "../model/config.js";
import { paramShapes } from "../model/gpt.js";
import { allocateSharedState } from "./shared-state.js";
import type { TrainWorkerData } from "./train-worker.js";

export interface DataParallelOptions {
  config: GPTConfig;
  ids: Int32Array; // [batch, n_positions]
  targets: Int32Array; // [batch * n_positions]
  batch: number;
  workers?: number;
  seconds: number;
  maxSteps?: number;
  warmupSteps?: number;
  lr: number;
  seed?: number;
  backend?: string;
}

export interface DataParallelResult {
  backend: string;
  workers: number;
  steps: number;
  timedSteps: number;
  elapsedMs: number;
  cpuMs: number; // CPU time of the whole process (all workers) over the timed steps
  losses: number[];
  tensors: { afterWarmup: number; atEnd: number }[];
}

export async function runDataParallel(o: DataParallelOptions): Promise<DataParallelResult> {
  const workers = o.workers ?? 2;
  if (o.batch % workers !== 0) throw new Error(`batch ${o.batch} does not split evenly over ${workers} workers`);
  const T = o.config.n_positions;
  const rows = o.batch / workers;
  const nParams = paramShapes(o.config).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
  const state = allocateSharedState(nParams, workers);
  const url = new URL("./worker-entry.mjs", import.meta.url);
  const threads: Worker[] = [];
  const results = await Promise.all(
    Array.from({ length: workers }, (_, rank) => {
      const data: TrainWorkerData = {
        rank,
        state,
        config: o.config,
        seed: o.seed ?? 0,
        backend: o.backend ?? "wasm",
        ids: o.ids.slice(rank * rows * T, (rank + 1) * rows * T),
        targets: o.targets.slice(rank * rows * T, (rank + 1) * rows * T),
        rows,
        seconds: o.seconds,
        maxSteps: o.maxSteps ?? Number.MAX_SAFE_INTEGER,
        warmupSteps: o.warmupSteps ?? 3,
        adam: { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      };
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const w = new Worker(url, { workerData: data, env: { ...process.env, RLHF_QUIET_BACKEND: "1" } });
        threads.push(w);
        let done = false;
        w.on("message", (msg: Record<string, unknown>) => {
          done = true;
          if (msg.type === "error") reject(new Error(`training worker ${rank}: ${String(msg.message)}`));
          else resolve(msg);
        });
        w.on("error", (e) => reject(new Error(`training worker ${rank} crashed: ${e.message}`)));
        w.on("exit", (code) => {
          if (!done) reject(new Error(`training worker ${rank} exited with code ${code} before reporting`));
        });
      });
    }),
  ).finally(() => {
    // A failed worker leaves the others blocked at a barrier: stop them all, whatever happened.
    for (const w of threads) void w.terminate();
  });
  const r0 = results[0]!;
  return {
    backend: String(r0.backend),
    workers,
    steps: r0.steps as number,
    timedSteps: r0.timedSteps as number,
    elapsedMs: r0.elapsedMs as number,
    cpuMs: r0.cpuMs as number,
    losses: r0.losses as number[],
    tensors: results.map((r) => ({ afterWarmup: r.tensorsAfterWarmup as number, atEnd: r.tensorsAtEnd as number })),
  };
}
