// `rlhf bench generate`: sampling tokens/s with and without the KV cache, at the benchmark's model shape.
//
// API: runGenerateBench({config = 'tiny', seconds = 5, batch = 1, backend = 'wasm'}) -> GenerateBenchResult
//   {tokens_per_s_cached, tokens_per_s_uncached, speedup, tokens_cached, tokens_uncached, numTensors_flat}
// Each run starts from a 1-token prompt and samples to the end of the context (stopAtEos off) so both variants do
// the same work per token; "uncached" re-runs the full forward pass over the growing sequence for every token.

import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import { GPT } from "../model/gpt.js";
import { generate, sampleToken } from "../generate/index.js";
import { mulberry32 } from "../../server/services/random.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { benchConfig } from "./train-bench.js";

export interface GenerateBenchResult {
  backend: string;
  batch: number;
  tokens_per_s_cached: number;
  tokens_per_s_uncached: number;
  speedup: number;
  tokens_cached: number;
  tokens_uncached: number;
  numTensors_before: number;
  numTensors_after: number;
  numTensors_flat: boolean;
}

/** A stand-in tokenizer for a model whose vocabulary is just ids (the benchmark model): no bytes, so no UTF-8 guard. */
function idTokenizer(vocab: number): Tokenizer {
  return { name: "byte", vocabSize: vocab, eosId: vocab - 1, padId: 0, encode: () => [], decode: (ids) => ids.join(" "), tokenBytes: () => null };
}

/** The same sampling loop without a cache: a full forward pass per new token. */
async function generateUncached(model: GPT, prompts: number[][], maxNew: number, seed: number): Promise<number> {
  const rand = mulberry32(seed);
  const seqs = prompts.map((p) => [...p]);
  let produced = 0;
  for (let s = 0; s < maxNew; s++) {
    const T = seqs[0]!.length;
    const logits = tf.tidy(() => {
      const out = model.forward(tf.tensor2d(seqs.flat(), [seqs.length, T], "int32")).logits;
      return tf.slice(out, [0, T - 1, 0], [seqs.length, 1, model.config.vocab_size]);
    });
    const rows = (await logits.data()) as Float32Array;
    logits.dispose();
    const V = model.config.vocab_size;
    seqs.forEach((seq, b) => seq.push(sampleToken(rows.subarray(b * V, (b + 1) * V), { temperature: 1 }, rand).id));
    produced += seqs.length;
  }
  return produced;
}

export async function runGenerateBench(opts: { config?: string; seconds?: number; batch?: number; backend?: string } = {}): Promise<GenerateBenchResult> {
  const backend = await initBackend(opts.backend ?? "wasm");
  const config = benchConfig(opts.config ?? "tiny");
  const seconds = opts.seconds ?? 5;
  const batch = opts.batch ?? 1;
  const model = new GPT(config, { seed: 0 });
  const tok = idTokenizer(config.vocab_size);
  const prompts = Array.from({ length: batch }, (_, i) => [1 + i]);
  const maxNew = config.n_positions - 1;
  // warm-up (kernel set-up, XNNPACK operators)
  await generate(model, tok, prompts, { maxNewTokens: 4, stopAtEos: false, seed: 1 });
  await generateUncached(model, prompts, 4, 1);

  const before = tf.memory().numTensors; // after the warm-up, which built the model's cached wteᵀ
  let cached = 0;
  let t0 = performance.now();
  let round = 0;
  while (performance.now() - t0 < seconds * 500 || cached < 1000) {
    const r = await generate(model, tok, prompts, { maxNewTokens: maxNew, stopAtEos: false, seed: round++ });
    cached += r.tokens.reduce((s, t) => s + t.length, 0);
    if (performance.now() - t0 > seconds * 4000) break;
  }
  const cachedMs = performance.now() - t0;
  const after = tf.memory().numTensors;
  let uncached = 0;
  t0 = performance.now();
  while (performance.now() - t0 < seconds * 500) uncached += await generateUncached(model, prompts, maxNew, round++);
  const uncachedMs = performance.now() - t0;
  model.dispose();
  const cps = cached / (cachedMs / 1000);
  const ups = uncached / (uncachedMs / 1000);
  return {
    backend: `tfjs-${backend}`,
    batch,
    tokens_per_s_cached: Math.round(cps),
    tokens_per_s_uncached: Math.round(ups),
    speedup: Math.round((cps / ups) * 100) / 100,
    tokens_cached: cached,
    tokens_uncached: uncached,
    numTensors_before: before,
    numTensors_after: after,
    numTensors_flat: before === after,
  };
}
