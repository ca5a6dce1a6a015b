// One GradientWorkers thread: a GPT (+ optional ScalarHead) replica on its own backend that, per request, loads the
// shared parameters, computes the loss gradient on the shard it was sent, and writes it to its shared slot.

import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import type { GPTConfig } from "./config.js";
import { GPT } from "./gpt.js";
import { ScalarHead } from "./heads.js";
import { computeGrads } from "./adam.js";
import { parameterLayout, type ShardLoss } from "./gradient-workers.js";

interface Data {
  rank: number;
  config: GPTConfig;
  headDim: number | null;
  lossModule: string;
  lossExport: string;
  backend: string;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

async function main(d: Data): Promise<void> {
  await initBackend(d.backend);
  const loss = ((await import(/* @vite-ignore */ d.lossModule)) as Record<string, unknown>)[d.lossExport] as ShardLoss;
  const model = new GPT(d.config, { seed: 0 });
  const head = d.headDim ? new ScalarHead(d.headDim, { init: "zeros" }) : undefined;
  const all = new Map<string, tf.Variable>([...model.params, ...(head ? head.params : [])]);
  const { entries, offsets } = parameterLayout(d.config, d.headDim);
  const params = new Float32Array(d.params);
  const grads = new Float32Array(d.grads);
  parentPort!.on("message", (m: { type: string; shard: unknown }) => {
    if (m.type !== "step") return;
    try {
      tf.tidy(() =>
        entries.forEach(([name, shape], i) => {
          const n = shape.reduce((a, b) => a * b, 1);
          all.get(name)!.assign(tf.tensor(params.slice(offsets[i]!, offsets[i]! + n), shape, "float32"));
        }),
      );
      const r = computeGrads(() => loss(model, head, m.shard), all);
      entries.forEach(([name, shape], i) => {
        const g = r.grads.get(name);
        if (g) grads.set(g.dataSync() as Float32Array, offsets[i]);
        else grads.fill(0, offsets[i]!, offsets[i]! + shape.reduce((a, b) => a * b, 1));
      });
      const value = r.loss.dataSync()[0]!;
      tf.dispose([r.loss, ...r.grads.values()]);
      parentPort!.postMessage({ type: "done", loss: value });
    } catch (e) {
      parentPort!.postMessage({ type: "error", message: (e as Error).message });
    }
  });
  parentPort!.postMessage({ type: "ready" });
}

main(workerData as Data).catch((e: Error) => parentPort!.postMessage({ type: "error", message: e.message }));
