// A seeded sampler for PPO rollouts built on the GPT's KV cache: left-padded prompts, one new position per step,
// stopping once every row has produced EOS. Kept here (beside PPO) so a rollout samples exactly at the temperature
// PPO scores with and so tests need nothing beyond the model.
import * as tf from "@tensorflow/tfjs";
import { disposeCache, type GPT, type KVCache } from "../model/gpt";
import { seededRandom } from "./utils";

export interface SampleOptions {
  maxNewTokens: number;
  temperature: number;
  seed: number;
  eosId: number;
  padId: number;
}

/** Draws one index from unnormalised log-weights at `temperature` with the given uniform source. */
function sampleIndex(logits: Float32Array | number[], offset: number, vocab: number, temperature: number, random: () => number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]! / temperature);
  let total = 0;
  const weights = new Float64Array(vocab);
  for (let v = 0; v < vocab; v++) {
    weights[v] = Math.exp(logits[offset + v]! / temperature - max);
    total += weights[v]!;
  }
  let u = random() * total;
  for (let v = 0; v < vocab; v++) {
    u -= weights[v]!;
    if (u <= 0) return v;
  }
  return vocab - 1;
}

/**
 * Samples up to maxNewTokens tokens after each prompt. Rows that finished keep sampling (cheaper than reshaping the
 * cache) until all are done; callers truncate at the first EOS.
 */
export async function sampleResponses(gpt: GPT, promptIds: number[][], opts: SampleOptions): Promise<number[][]> {
  const B = promptIds.length;
  const longest = Math.max(...promptIds.map((p) => p.length));
  const vocab = gpt.config.vocab_size;
  const random = seededRandom(opts.seed);
  const maskRows = promptIds.map((p) => [...Array(longest - p.length).fill(0), ...p.map(() => 1)]);
  const ids = promptIds.map((p) => [...Array(longest - p.length).fill(opts.padId), ...p]);
  const out: number[][] = promptIds.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  let cache: KVCache | null = null;
  let input = tf.tensor2d(ids.flat(), [B, longest], "int32");
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const mask = tf.tensor2d(maskRows.flat(), [B, maskRows[0]!.length], "int32");
      const res: { logits: tf.Tensor3D; cache: KVCache } = gpt.forwardCached(input, cache, { attentionMask: mask, lastOnly: true });
      disposeCache(cache);
      cache = res.cache;
      const logits = await res.logits.data();
      tf.dispose([res.logits, mask, input]);
      const next = promptIds.map((_, b) => sampleIndex(logits as Float32Array, b * vocab, vocab, opts.temperature, random));
      next.forEach((tok, b) => {
        out[b]!.push(tok);
        if (tok === opts.eosId) done[b] = true;
        maskRows[b]!.push(1);
      });
      input = tf.tensor2d(next, [B, 1], "int32");
      if (done.every(Boolean)) break;
      if (longest + step + 2 > gpt.config.n_positions) break;
    }
  } finally {
    input.dispose();
    disposeCache(cache);
  }
  return out;
}
