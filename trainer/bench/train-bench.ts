// `rlhf bench train`: tokens/s of GPT training at the PyTorch peer's exact shape (shared/bench/torch_gpt_step.py).
//
// API: runTrainBench({config = 'tiny', seconds = 10, workers = 2, backend = 'wasm', maxSteps}) -> TrainBenchResult
//   {tokens_per_s, ms_per_step, nParams, backend, workers, steps, loss_first, loss_last, tensors_flat, ...}
// Peer shape: V 512, D 128, H 4, L 2, T 64, B 16, Adam lr 1e-3, fp32, one fixed batch of random ids and targets,
// cross-entropy on every token; like the peer, 3 untimed warm-up steps, then steps until `seconds` have passed.
// Both cores: `workers` data-parallel worker_threads, each with its own wasm backend, B/workers rows each.

import type { GPTConfig } from "../model/config.js";
import { PRESETS } from "../model/config.js";
import { mulberry32 } from "../../server/services/random.js";
import { runDataParallel } from "./data-parallel.js";

export interface TrainBenchOptions {
  config?: string;
  seconds?: number;
  workers?: number;
  backend?: string;
  maxSteps?: number;
  batch?: number;
}

export interface TrainBenchResult {
  backend: string;
  workers: number;
  nParams: number;
  batch: number;
  seq_len: number;
  steps: number;
  ms_per_step: number;
  tokens_per_s: number;
  cpu_s: number; // CPU seconds used over the timed steps (all threads); load on a shared machine inflates wall time
  tokens_per_cpu_s: number;
  cores_used: number; // cpu_s / wall time: below `workers` when other jobs share the CPUs (Linux autogroup fairness)
  loss_first: number;
  loss_last: number;
  tensors_per_worker: { afterWarmup: number; atEnd: number }[];
  tensors_flat: boolean;
}

export function benchConfig(name: string): GPTConfig {
  const c = PRESETS[name];
  if (!c) throw new Error(`unknown bench config '${name}': use one of ${Object.keys(PRESETS).join(", ")}`);
  return c;
}

export async function runTrainBench(opts: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const config = benchConfig(opts.config ?? "tiny");
  const B = opts.batch ?? 16;
  const T = config.n_positions;
  const rand = mulberry32(1234);
  const ids = Int32Array.from({ length: B * T }, () => Math.floor(rand() * config.vocab_size));
  const targets = Int32Array.from({ length: B * T }, () => Math.floor(rand() * config.vocab_size));
  const r = await runDataParallel({
    config,
    ids,
    targets,
    batch: B,
    workers: opts.workers ?? 2,
    seconds: opts.seconds ?? 10,
    maxSteps: opts.maxSteps,
    lr: 1e-3,
    backend: opts.backend ?? "wasm",
  });
  const msPerStep = r.elapsedMs / Math.max(1, r.timedSteps);
  const D = config.n_embd;
  const nParams = config.vocab_size * D + T * D + config.n_layer * (12 * D * D + 13 * D) + 2 * D;
  return {
    backend: `tfjs-${r.backend}`,
    workers: r.workers,
    nParams,
    batch: B,
    seq_len: T,
    steps: r.timedSteps,
    ms_per_step: Math.round(msPerStep * 100) / 100,
    tokens_per_s: Math.round((B * T) / (msPerStep / 1000)),
    cpu_s: Math.round(r.cpuMs) / 1000,
    tokens_per_cpu_s: Math.round((B * T * r.timedSteps) / (r.cpuMs / 1000)),
    cores_used: Math.round((r.cpuMs / r.elapsedMs) * 100) / 100,
    loss_first: Math.round(r.losses[0]! * 1e4) / 1e4,
    loss_last: Math.round(r.losses.at(-1)! * 1e4) / 1e4,
    tensors_per_worker: r.tensors,
    tensors_flat: r.tensors.every((t) => t.afterWarmup === t.atEnd),
  };
}
