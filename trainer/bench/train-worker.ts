// One data-parallel training worker: its own wasm backend and GPT replica, gradients on its shard of the batch.
//
// Protocol (see shared-state.ts): per step, compute grads → write own grad slot → barrier → Adam on own slice of the
// flat parameter vector → barrier → upload the shared parameters into the local variables. Rank 0 times the run,
// decides when to stop, and posts the result; every rank posts its tensor counts (memory must stay flat).

import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import { GPT, paramShapes } from "../model/gpt.js";
import type { GPTConfig } from "../model/config.js";
import { computeGrads } from "../model/adam.js";
import { tokenLogprobs } from "../model/ops.js";
import { adamUpdateRange, barrierWait, type FlatAdamOptions, type SharedTrainState, STOP_FLAG, viewsOf } from "./shared-state.js";

export interface TrainWorkerData {
  rank: number;
  state: SharedTrainState;
  config: GPTConfig;
  seed: number;
  backend: string;
  ids: Int32Array; // [rows, T] this worker's shard
  targets: Int32Array; // [rows * T]
  rows: number;
  seconds: number;
  maxSteps: number;
  warmupSteps: number;
  adam: FlatAdamOptions;
}

async function run(d: TrainWorkerData): Promise<void> {
  const backend = await initBackend(d.backend);
  const views = viewsOf(d.state);
  const model = new GPT(d.config, { seed: d.seed });
  const shapes = paramShapes(d.config);
  const offsets: number[] = [];
  let total = 0;
  for (const [, shape] of shapes) {
    offsets.push(total);
    total += shape.reduce((a, b) => a * b, 1);
  }
  if (total !== d.state.nParams) throw new Error(`worker ${d.rank}: parameter count ${total} != shared ${d.state.nParams}`);
  // Rank 0's initial values become everyone's, so replicas agree from step 0 whatever the backend.
  if (d.rank === 0) shapes.forEach(([name], i) => views.params.set(model.params.get(name)!.dataSync() as Float32Array, offsets[i]));
  barrierWait(views);
  const upload = () =>
    tf.tidy(() => {
      shapes.forEach(([name, shape], i) => {
        const n = shape.reduce((a, b) => a * b, 1);
        model.params.get(name)!.assign(tf.tensor(views.params.slice(offsets[i]!, offsets[i]! + n), shape, "float32"));
      });
    });
  upload();

  const T = d.config.n_positions;
  const V = d.config.vocab_size;
  const ids = tf.tensor2d(d.ids, [d.rows, T], "int32");
  const targets = tf.tensor1d(d.targets, "int32");
  const lossFn = () => tf.tidy(() => tf.neg(tf.mean(tokenLogprobs(tf.reshape(model.forward(ids).logits, [d.rows * T, V]) as tf.Tensor2D, targets))) as tf.Scalar);
  const nWorkers = d.state.nWorkers;
  const lo = Math.floor((d.rank * total) / nWorkers);
  const hi = Math.floor(((d.rank + 1) * total) / nWorkers);
  const myGrads = views.grads[d.rank]!;

  let step = 0;
  let t0 = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  let timedSteps = 0;
  const losses: number[] = [];
  let tensorsAfterWarmup = 0;
  for (;;) {
    const { loss, grads } = computeGrads(lossFn, model.params);
    shapes.forEach(([name], i) => myGrads.set(grads.get(name)!.dataSync() as Float32Array, offsets[i]));
    views.scalars[d.rank * 4] = loss.dataSync()[0]!;
    tf.dispose([loss, ...grads.values()]);
    barrierWait(views);
    step++;
    adamUpdateRange(views, lo, hi, step, d.adam);
    if (d.rank === 0) {
      let mean = 0;
      for (let w = 0; w < nWorkers; w++) mean += views.scalars[w * 4]!;
      losses.push(mean / nWorkers);
      if (step === d.warmupSteps) {
        t0 = performance.now();
        cpu0 = process.cpuUsage(); // process-wide: covers every worker thread in the timed window
      }
      if (step > d.warmupSteps) timedSteps++;
      const elapsed = t0 ? (performance.now() - t0) / 1000 : 0;
      if (step >= d.warmupSteps && (elapsed >= d.seconds || timedSteps >= d.maxSteps)) Atomics.store(views.sync, STOP_FLAG, 1);
    }
    barrierWait(views);
    upload();
    if (step === d.warmupSteps) tensorsAfterWarmup = tf.memory().numTensors;
    if (Atomics.load(views.sync, STOP_FLAG) === 1) break;
  }
  const elapsedMs = performance.now() - t0;
  const cpu = cpu0 ? process.cpuUsage(cpu0) : { user: 0, system: 0 };
  parentPort!.postMessage({
    type: "done",
    rank: d.rank,
    backend,
    steps: step,
    timedSteps,
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    losses: d.rank === 0 ? losses : [],
    tensorsAfterWarmup,
    tensorsAtEnd: tf.memory().numTensors,
  });
  tf.dispose([ids, targets]);
  model.dispose();
}

run(workerData as TrainWorkerData).catch((e: Error) => {
  parentPort!.postMessage({ type: "error", message: e.message, stack: e.stack });
});
