// Chooses and initialises the TensorFlow.js backend the trainer runs on (RLHF_BACKEND=auto|tensorflow-gpu|tensorflow|wasm|cpu).
//
// API:
//   initBackend(name = process.env.RLHF_BACKEND ?? 'auto'): Promise<string>  -> the tf backend name now active
//   BACKEND_CHOICES: the accepted names
//   activeBackend(): the tf backend name now active
//
// `auto` tries @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (dynamic import of a variable module name, so a
// bundler or tsc never tries to resolve packages that are usually not installed), then wasm. The choice is logged
// to stderr once (RLHF_QUIET_BACKEND=1 silences it). Wasm gets the fixes measured in shared/notes/tfjs.md:
//   1. an UnsortedSegmentSum kernel (gradient of gather, for embeddings): wasm-kernels.ts;
//   2. 2-D, batch-1, untransposed matmuls only: `linear` in trainer/model/ops.ts (explicit transposes in its
//      gradient), and block-matmul.ts, which runs attention's per-head matmuls on XNNPACK without copies;
//   3. no rank-5 transposes: attention splits heads with rank-4 transposes (trainer/model/ops.ts).
// Plus measured extras in wasm-kernels.ts: copy-free Identity, row gather, q|k|v column split/concat.
// Wasm threads do not work in Node; trainer/bench/data-parallel.ts uses the second core with worker_threads.

import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import path from "node:path";
import { registerBlockMatMul } from "./block-matmul.js";
import { registerWasmKernels } from "./wasm-kernels.js";

export const BACKEND_CHOICES = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let wasmPathsSet = false;
let lastLogged = "";

/** Imports a module whose name tsc/bundlers must not resolve; null when it is not installed. */
async function importOptional(moduleName: string): Promise<unknown | null> {
  try {
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ moduleName);
  } catch {
    return null;
  }
}

/** Points the wasm backend at its .wasm binaries inside node_modules, so it never fetches anything. */
async function prepareWasm(): Promise<void> {
  if (wasmPathsSet) return;
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  wasm.setWasmPaths(dist);
  wasmPathsSet = true;
  registerWasmKernels();
  registerBlockMatMul();
}

async function tryNative(moduleName: string, backendName: string): Promise<boolean> {
  if (tf.findBackend(backendName)) return true;
  return (await importOptional(moduleName)) !== null && tf.findBackend(backendName) !== null;
}

async function activate(backendName: string): Promise<boolean> {
  if (tf.getBackend() === backendName && tf.findBackend(backendName)) return true;
  const ok = await tf.setBackend(backendName);
  await tf.ready();
  return ok;
}

function log(active: string): void {
  if (active === lastLogged || process.env.RLHF_QUIET_BACKEND === "1") return;
  lastLogged = active;
  process.stderr.write(`[rlhf] tfjs backend: ${active}\n`);
}

/**
 * Makes `name` the active backend (or the best available for `auto`) and returns the tf backend name.
 * Throws a one-line Error when an explicitly requested backend cannot be used.
 */
export async function initBackend(name: string = process.env.RLHF_BACKEND ?? "auto"): Promise<string> {
  const choice = (name || "auto").trim() as BackendChoice;
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new Error(`unknown backend '${name}': use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  // tfjs-node-gpu registers itself under the name 'tensorflow' as well.
  if (choice === "auto") {
    for (const mod of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      if ((await tryNative(mod, "tensorflow")) && (await activate("tensorflow"))) {
        log(`tensorflow (${mod})`);
        return "tensorflow";
      }
    }
    await prepareWasm();
    if (await activate("wasm")) {
      log("wasm");
      return "wasm";
    }
    await activate("cpu");
    log("cpu (wasm failed to start)");
    return "cpu";
  }
  if (choice === "tensorflow-gpu" || choice === "tensorflow") {
    const mod = choice === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
    if (!(await tryNative(mod, "tensorflow")) || !(await activate("tensorflow"))) {
      throw new Error(`backend '${choice}' is unavailable: install ${mod}@4.22.0 (needs network access for libtensorflow), or use RLHF_BACKEND=wasm`);
    }
    log(`tensorflow (${mod})`);
    return "tensorflow";
  }
  if (choice === "wasm") {
    await prepareWasm();
    if (!(await activate("wasm"))) throw new Error("backend 'wasm' failed to initialise: check that @tensorflow/tfjs-backend-wasm is installed");
    log("wasm");
    return "wasm";
  }
  if (!(await activate("cpu"))) throw new Error("backend 'cpu' failed to initialise");
  log("cpu");
  return "cpu";
}

/** The active backend name ('wasm', 'cpu', 'tensorflow', ...). */
export function activeBackend(): string {
  return tf.getBackend();
}
