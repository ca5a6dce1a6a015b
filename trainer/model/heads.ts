// A scalar head on top of the GPT's final hidden states: the reward model's score and PPO's value function.
//
// API: new ScalarHead(nEmbd, {seed = 0, init = 'normal' | 'zeros', weights?});
//      head.apply(hidden [B,T,D]) -> [B,T];  head.params: Map('score.weight' [D,1], 'score.bias' [1]);
//      head.trainableVariables(); head.dispose()
// Init: 'normal' draws the weight from N(0, 1/√(D+1)) (as TRL's value head does for its last layer), bias 0;
// 'zeros' starts every score at exactly 0, useful when a value head should begin neutral. Checkpoints store the
// two tensors under the names above, beside the backbone's.

import * as tf from "@tensorflow/tfjs";
import { linear } from "./ops.js";
import { mulberry32 } from "../../server/services/random.js";
import { normalSampler } from "./prng.js";
import { ownedVariable } from "./variables.js";

export class ScalarHead {
  readonly nEmbd: number;
  readonly params = new Map<string, tf.Variable>();

  /** `weights` (checkpoint loading) gives score.weight / score.bias values directly. */
  constructor(nEmbd: number, opts: { seed?: number; init?: "normal" | "zeros"; weights?: Map<string, Float32Array> } = {}) {
    this.nEmbd = nEmbd;
    const given = opts.weights?.get("score.weight");
    const w = given ? Float32Array.from(given) : new Float32Array(nEmbd);
    if (!given && (opts.init ?? "normal") === "normal") {
      const normal = normalSampler(mulberry32((opts.seed ?? 0) ^ 0x5c0de));
      const std = 1 / Math.sqrt(nEmbd + 1);
      for (let i = 0; i < nEmbd; i++) w[i] = normal() * std;
    }
    this.params.set("score.weight", ownedVariable(tf.tensor2d(w, [nEmbd, 1]), true));
    this.params.set("score.bias", ownedVariable(tf.tensor1d(opts.weights?.get("score.bias") ?? new Float32Array(1)), true));
  }

  /** Scores every position: hidden [B,T,D] -> [B,T]. */
  apply(hidden: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T, D] = hidden.shape;
      const s = linear(tf.reshape(hidden, [B * T, D]) as tf.Tensor2D, this.params.get("score.weight") as tf.Tensor2D, this.params.get("score.bias") as tf.Tensor1D);
      return tf.reshape(s, [B, T]) as tf.Tensor2D;
    });
  }

  trainableVariables(): tf.Variable[] {
    return [...this.params.values()];
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
