// Run kinds → the trainer that executes them: trainer/algorithms/<kind>.ts, by convention, exporting `algorithm`.
// Loaded lazily, so `rlhf train … --queue` and the web app's queue never load TensorFlow.js.
import type { RunKind } from "../../server/services/run-kinds/index";
import type { RunAlgorithm } from "./types";

/** The module path of a kind's trainer, relative to this file. */
export const algorithmModule = (kind: RunKind) => `../algorithms/${kind}`;

const overrides = new Map<RunKind, RunAlgorithm>();

/** Registers an algorithm in-process (tests); wins over the file. */
export function registerAlgorithm<K extends RunKind>(algorithm: RunAlgorithm<K>): void {
  overrides.set(algorithm.kind, algorithm as unknown as RunAlgorithm);
}

export function unregisterAlgorithm(kind: RunKind): void {
  overrides.delete(kind);
}

/** The trainer for a run kind, or a one-line error saying which module is missing. */
export async function loadAlgorithm(kind: RunKind): Promise<RunAlgorithm> {
  const registered = overrides.get(kind);
  if (registered) return registered;
  const spec = algorithmModule(kind);
  let mod: { algorithm?: RunAlgorithm };
  try {
    mod = (await import(/* @vite-ignore */ spec)) as { algorithm?: RunAlgorithm };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || /Cannot find module|Failed to load url|Does the file exist/i.test(String(err)))
      throw new Error(`run kind '${kind}' is not available in this build (trainer/${spec.slice(3)}.ts is missing)`);
    throw err;
  }
  if (!mod.algorithm || mod.algorithm.kind !== kind)
    throw new Error(`trainer/${spec.slice(3)}.ts must export \`algorithm\` with kind '${kind}'`);
  return mod.algorithm;
}
