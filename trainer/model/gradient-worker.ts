// One GradientWorkers thread: replicas of the trainer's models (GPT, LoRA adapters, scalar head) on its own backend
// that, per request, load the shared trainable parameters, then either compute the loss gradient on the shard they
// were sent (written to their shared slot) or sample completions for the prompts they were sent.

import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import { GPT } from "./gpt.js";
import { ScalarHead } from "./heads.js";
import { computeGrads } from "./adam.js";
import { generate } from "../generate/index.js";
import { getTokenizer } from "../tokenizer/index.js";
import { noLoss, type PortableGenerateOptions, type ReplicaLayout, type ReplicaModels, type ReplicaTask, type ShardEval, type ShardLoss, type StepFlags, variableOf } from "./gradient-workers.js";

interface Data {
  rank: number;
  layout: ReplicaLayout;
  lossModule: string | null;
  lossExport?: string;
  backend: string;
  params: SharedArrayBuffer;
  frozen: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

/** Builds each replica from the shared buffers' initial values (no random init: at GPT-2 size that takes seconds). */
function buildReplicas(d: Data): ReplicaModels[] {
  const params = new Float32Array(d.params);
  const frozen = new Float32Array(d.frozen);
  const values = (replica: number, part: string) => {
    const out = new Map<string, Float32Array>();
    for (const e of d.layout.trainable) if (e.replica === replica && e.part === part) out.set(e.local, params.subarray(e.offset, e.offset + e.size));
    for (const e of d.layout.frozen) if (e.replica === replica && e.part === part) out.set(e.local, frozen.subarray(e.offset, e.offset + e.size));
    return out;
  };
  return d.layout.specs.map((spec, i) => {
    const gpt = new GPT(spec.config, { weights: values(i, "gpt") });
    // Dropout masks of its own (a different seed per rank): the rows differ from the main thread's anyway.
    if (spec.lora) gpt.attachLora({ ...spec.lora, seed: (spec.lora.seed ?? 0) + 7919 * (d.rank + 1) }, values(i, "lora"));
    const head = spec.headDim ? new ScalarHead(spec.headDim, { weights: values(i, "head") }) : undefined;
    return { gpt, head };
  });
}

async function main(d: Data): Promise<void> {
  await initBackend(d.backend);
  const mod = d.lossModule ? ((await import(/* @vite-ignore */ d.lossModule)) as Record<string, unknown>) : {};
  const loss = d.lossModule ? (mod[d.lossExport ?? ""] as ShardLoss) : noLoss;
  const models = buildReplicas(d);
  // The frozen weights are in this thread's heap now: drop the shared copy (workerData would keep it alive for good,
  // at GPT-2 small 500 MB per frozen base).
  d.frozen = new SharedArrayBuffer(0);
  const trainable = d.layout.trainable;
  const vars = new Map(trainable.map((e) => [e.name, variableOf(models, e)]));
  const params = new Float32Array(d.params);
  const grads = new Float32Array(d.grads);
  // The version of each trainable tensor this replica holds (0: the values it was built from).
  const loaded = trainable.map(() => 0);
  const loadParams = (versions: number[]) => {
    trainable.forEach((e, k) => {
      if (versions[k] === loaded[k]) return;
      const t = tf.tensor(params.subarray(e.offset, e.offset + e.size), e.shape, "float32");
      vars.get(e.name)!.assign(t);
      t.dispose();
      loaded[k] = versions[k]!;
    });
  };
  parentPort!.on("message", (m: { type: string; shard: unknown; flags: StepFlags; replica: number; tokenizer: string; prompts: number[][]; opts: PortableGenerateOptions; name: string; shards: unknown[]; module: string; args: unknown; versions: number[] }) => {
    if (m.type === "call") {
      (async () => {
        loadParams(m.versions);
        const task = ((await import(/* @vite-ignore */ m.module)) as Record<string, unknown>)[m.name] as ReplicaTask | undefined;
        if (typeof task !== "function") throw new Error(`${m.module} exports no function '${m.name}'`);
        return task(models, m.args);
      })().then(
        (value) => parentPort!.postMessage({ type: "done", value }),
        (e: Error) => parentPort!.postMessage({ type: "error", message: e.message }),
      );
      return;
    }
    if (m.type === "evaluate") {
      try {
        loadParams(m.versions);
        const fn = mod[m.name] as ShardEval | undefined;
        if (typeof fn !== "function") throw new Error(`the loss module exports no function '${m.name}'`);
        const outs = m.shards.map((shard) => {
          const out: Record<string, unknown> = {};
          tf.tidy(() => fn(models, shard, out));
          return out;
        });
        parentPort!.postMessage({ type: "done", outs });
      } catch (e) {
        parentPort!.postMessage({ type: "error", message: (e as Error).message });
      }
      return;
    }
    if (m.type === "generate") {
      loadParams(m.versions);
      generate(models[m.replica]!.gpt, getTokenizer(m.tokenizer), m.prompts, m.opts).then(
        (result) => parentPort!.postMessage({ type: "done", result }),
        (e: Error) => parentPort!.postMessage({ type: "error", message: e.message }),
      );
      return;
    }
    if (m.type !== "step") return;
    try {
      loadParams(m.versions);
      models.forEach((r, i) => {
        r.gpt.gradientCheckpointing = m.flags.checkpointing[i]!;
        if (r.gpt.lora) r.gpt.lora.training = m.flags.adapterTraining[i]!;
      });
      const out: Record<string, unknown> = {};
      const r = computeGrads(() => loss(models, m.shard, out), vars);
      const has = trainable.map((e) => {
        const g = r.grads.get(e.name);
        if (g) grads.set(g.dataSync() as Float32Array, e.offset);
        return g !== undefined;
      });
      const value = r.loss.dataSync()[0]!;
      tf.dispose([r.loss, ...r.grads.values()]);
      parentPort!.postMessage({ type: "done", loss: value, has, out });
    } catch (e) {
      parentPort!.postMessage({ type: "error", message: (e as Error).message });
    } finally {
      models.forEach((r) => r.gpt.lora && (r.gpt.lora.training = false));
    }
  });
  parentPort!.postMessage({ type: "ready" });
}

main(workerData as Data).catch((e: Error) => parentPort!.postMessage({ type: "error", message: e.message }));
