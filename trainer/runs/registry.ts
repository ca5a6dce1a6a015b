// Run kinds → the algorithm that executes them. Each kind lives in its own module that exports `algorithm`;
// adding a kind means adding that file (the paths below are the convention), nothing else.
import type { RunKind } from "../../db/schema";
import type { RunAlgorithm } from "./types";

/**
 * Where each kind's module lives. Loaded lazily by path, so a missing module (a kind not built yet) is a clear
 * error at run time rather than a compile error, and `rlhf train … --queue` never loads TensorFlow.js.
 */
export const ALGORITHM_MODULES: Record<RunKind, string> = {
  sft: "../sft/algorithm",
  reward: "../rl/reward-algorithm",
  ppo: "../rl/ppo-algorithm",
  dpo: "../rl/dpo-algorithm",
  sample: "../sample/algorithm", // not built: `rlhf sample` runs directly, not as a run
};

const overrides = new Map<RunKind, RunAlgorithm>();

/** Registers an algorithm in-process (tests, or a kind defined outside the conventional path); wins over the file. */
export function registerAlgorithm(algorithm: RunAlgorithm): void {
  overrides.set(algorithm.kind, algorithm);
}

export function unregisterAlgorithm(kind: RunKind): void {
  overrides.delete(kind);
}

/** The algorithm for a run kind, or a one-line error saying which module is missing. */
export async function loadAlgorithm(kind: RunKind): Promise<RunAlgorithm> {
  const registered = overrides.get(kind);
  if (registered) return registered;
  const spec = ALGORITHM_MODULES[kind];
  if (!spec) throw new Error(`unknown run kind '${kind}'`);
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
