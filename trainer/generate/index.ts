// Sampling from a GPT with a KV cache (each new token costs one position), and teacher-forced log-probs.
//
// API:
//   generate(model, tok, promptIds: number[][], opts) -> Promise<{tokens, logprobs?, finished}>
//     opts: {maxNewTokens, temperature = 1, topK = 0 (off), topP = 1 (off), seed = 0, stopAtEos = true,
//            returnLogprobs = false, streams}
//     tokens[i]: the response only, including the EOS when one was produced; finished[i]: EOS produced.
//     Prompts of different lengths are left-padded (masked), so every row samples from the same step.
//     streams: [{seed, rows}, ...] gives consecutive ranges of rows their own seeded random streams, each drawn in
//     row order, as one generate call per range with that seed would draw them: several prompts' K samples in one
//     batched forward give the tokens each prompt alone would get (when their logits agree, see trainer/runs/sample.ts).
//     temperature 0 means greedy. logprobs are log p(token) under the model's softmax(logits / temperature), before
//     the UTF-8 guard's mask and top-k/top-p filtering (so they equal teacher forcing). top-p keeps the smallest
//     prefix of the top-k survivors whose renormalised mass reaches topP (HF applies top-k, then top-p on the rest).
//     Samples are always valid UTF-8 (utf8-guard.ts): tokens that would break or leave unfinished a character are
//     masked, for any tokenizer that gives its tokens' bytes.
//   sequenceLogprobs(model, sequences: number[][], padId) -> Promise<number[][]>
//     out[i][j] = log p(seq[j+1] | seq[≤j]), i.e. one value per token from the second on (teacher-forced).
//   sampleToken(logits, opts, rand) -> {id, logprob}: the sampler on one row (opts.banned masks tokens), for tests.
// Sampling is seeded (mulberry32), never Math.random, so the same seed gives the same tokens on any backend whose
// logits agree. Memory: the model keeps wteᵀ between calls (GPT.lmHeadWeightT), one tensor, until wte changes.

import * as tf from "@tensorflow/tfjs";
import { disposeCache, type GPT, type KVCache } from "../model/gpt.js";
import { nextTokenLogprobs } from "../model/logprobs.js";
import { MASKED } from "../model/ops.js";
import { mulberry32 } from "../../server/services/random.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { UTF8_START } from "../tokenizer/utf8.js";
import { utf8GuardFor } from "./utf8-guard.js";

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  stopAtEos?: boolean;
  returnLogprobs?: boolean;
  /** Consecutive ranges of rows, each sampled from its own stream seeded `seed` (they must cover every row). */
  streams?: { seed: number; rows: number }[];
  /** Called with each row's new token as it is sampled (streaming servers send it on at once). */
  onToken?: (row: number, id: number) => void;
}

export interface GenerateResult {
  tokens: number[][];
  logprobs?: number[][];
  finished: boolean[];
}

/** Samples one token id from a row of logits. */
export function sampleToken(
  rawLogits: ArrayLike<number>,
  opts: { temperature?: number; topK?: number; topP?: number; banned?: Uint8Array | null },
  rand: () => number,
): { id: number; logprob: number } {
  const V = rawLogits.length;
  let logits = rawLogits;
  if (opts.banned) {
    const masked = Float64Array.from(rawLogits as ArrayLike<number>);
    for (let i = 0; i < V; i++) if (opts.banned[i]) masked[i] = -Infinity;
    logits = masked;
  }
  const temperature = opts.temperature ?? 1;
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < V; i++) if (logits[i]! > max) (max = logits[i]!), (argmax = i);
  const t = temperature > 0 ? temperature : 1;
  // The reported log-prob is the model's own, log-softmax of the raw logits / t in float64 (what teacher forcing and
  // `rlhf logprobs` give), not the guard-masked distribution it was drawn from.
  let rawMax = -Infinity;
  for (let i = 0; i < V; i++) if (rawLogits[i]! > rawMax) rawMax = rawLogits[i]!;
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp((rawLogits[i]! - rawMax) / t);
  const logZ = Math.log(z);
  const logprobOf = (id: number) => (rawLogits[id]! - rawMax) / t - logZ;
  if (temperature <= 0) return { id: argmax, logprob: logprobOf(argmax) };

  let candidates: number[] | null = null;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if ((topK > 0 && topK < V) || topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
    let keep = topK > 0 ? Math.min(topK, V) : V;
    if (topP < 1) {
      // nucleus over the top-k survivors, renormalised among themselves (as HF's warpers chain): the smallest prefix
      // whose share of the survivors' mass reaches topP (always at least one token)
      let survivors = 0;
      for (let j = 0; j < keep; j++) survivors += Math.exp((logits[order[j]!]! - max) / t);
      let mass = 0;
      let n = 0;
      while (n < keep) {
        mass += Math.exp((logits[order[n]!]! - max) / t) / survivors;
        n++;
        if (mass >= topP) break;
      }
      keep = n;
    }
    candidates = order.slice(0, keep);
  }
  const ids = candidates ?? null;
  const count = ids ? ids.length : V;
  let total = 0;
  for (let j = 0; j < count; j++) total += Math.exp((logits[ids ? ids[j]! : j]! - max) / t);
  let r = rand() * total;
  // Zero-weight tokens (masked ones) are never returned, even when rand() gives exactly 0 or rounding runs past the end.
  let last = argmax;
  for (let j = 0; j < count; j++) {
    const id = ids ? ids[j]! : j;
    const w = Math.exp((logits[id]! - max) / t);
    if (w <= 0) continue;
    last = id;
    r -= w;
    if (r <= 0) return { id, logprob: logprobOf(id) };
  }
  return { id: last, logprob: logprobOf(last) };
}

export async function generate(model: GPT, tok: Tokenizer, promptIds: number[][], opts: GenerateOptions): Promise<GenerateResult> {
  const B = promptIds.length;
  if (B === 0) return { tokens: [], finished: [], ...(opts.returnLogprobs ? { logprobs: [] } : {}) };
  if (promptIds.some((p) => p.length === 0)) throw new Error("generate: every prompt needs at least one token");
  const V = model.config.vocab_size;
  const maxLen = Math.max(...promptIds.map((p) => p.length));
  const room = model.config.n_positions - maxLen;
  if (room <= 0) throw new Error(`prompt of ${maxLen} tokens leaves no room to generate (model context is ${model.config.n_positions})`);
  const maxNew = Math.min(opts.maxNewTokens, room);
  const stopAtEos = opts.stopAtEos ?? true;
  const randOf = rowStreams(B, opts);
  const guard = utf8GuardFor(tok, V);
  const utf8State = promptIds.map(() => UTF8_START);

  // Left padding: real tokens end at the same column, so the next token is sampled for every row at once.
  const ids: number[] = [];
  const mask: number[][] = [];
  for (const p of promptIds) {
    const pad = maxLen - p.length;
    ids.push(...new Array(pad).fill(tok.padId), ...p);
    mask.push([...new Array(pad).fill(0), ...new Array(p.length).fill(1)]);
  }
  const tokens: number[][] = promptIds.map(() => []);
  const logprobs: number[][] = promptIds.map(() => []);
  const finished = new Array<boolean>(B).fill(false);
  // Positions count real tokens (a left-padded row starts at 0); padding positions are clipped to 0 and masked.
  const nextPos = promptIds.map((p) => p.length);
  let cache: KVCache | null = null;
  let stepIds = tf.tensor2d(ids, [B, maxLen], "int32");
  let positions = tf.tensor2d(mask.flatMap((row) => { let c = 0; return row.map((m) => (c += m, Math.max(0, c - 1))); }), [B, maxLen], "int32");
  try {
    // The rows still sampling, by their index in promptIds: a row that ends (EOS) leaves the batch and its cache, so a
    // batch of many prompts costs what its unfinished rows cost, not what its longest row costs for every row.
    let live = promptIds.map((_, b) => b);
    for (let step = 0; step < maxNew; step++) {
      const tq = stepIds.shape[1];
      const bias = biasFromMask(live.map((b) => mask[b]!), tq);
      const out: { logits: tf.Tensor3D; cache: KVCache } = model.forwardCached(stepIds, cache, { positionIds: positions, bias, lastOnly: true });
      tf.dispose([bias, stepIds, positions]);
      disposeCache(cache);
      cache = out.cache;
      const rows = (await out.logits.data()) as Float32Array;
      out.logits.dispose();
      const next: number[] = [];
      const pos: number[] = [];
      live.forEach((b, j) => {
        pos.push(nextPos[b]!);
        const banned = guard ? guard.banned(utf8State[b]!, maxNew - step - 1) : null;
        const { id, logprob } = sampleToken(rows.subarray(j * V, (j + 1) * V), { ...opts, banned }, randOf[b]!);
        if (guard) utf8State[b] = guard.advance(utf8State[b]!, id);
        tokens[b]!.push(id);
        logprobs[b]!.push(logprob);
        next.push(id);
        mask[b]!.push(1);
        nextPos[b]!++;
        opts.onToken?.(b, id);
        if (stopAtEos && id === tok.eosId) finished[b] = true;
      });
      const keep = live.flatMap((b, j) => (finished[b] ? [] : [j]));
      if (keep.length === 0) break;
      if (keep.length < live.length) {
        const rowsKept = tf.tensor1d(keep, "int32");
        const old: KVCache = cache;
        cache = { keys: old.keys.map((k) => tf.gather(k, rowsKept)), values: old.values.map((v) => tf.gather(v, rowsKept)), length: old.length };
        tf.dispose(rowsKept);
        disposeCache(old);
        live = keep.map((j) => live[j]!);
      }
      stepIds = tf.tensor2d(keep.map((j) => next[j]!), [keep.length, 1], "int32");
      positions = tf.tensor2d(keep.map((j) => pos[j]!), [keep.length, 1], "int32");
    }
  } finally {
    tf.dispose([stepIds, positions]);
    disposeCache(cache);
  }
  return { tokens, finished, ...(opts.returnLogprobs ? { logprobs } : {}) };
}

/** Each row's random source: one stream for all rows from opts.seed, or the ranges of opts.streams. */
function rowStreams(B: number, opts: GenerateOptions): (() => number)[] {
  if (!opts.streams) return new Array<() => number>(B).fill(mulberry32(opts.seed ?? 0));
  const out: (() => number)[] = [];
  for (const s of opts.streams) {
    const rand = mulberry32(s.seed);
    for (let i = 0; i < s.rows; i++) out.push(rand);
  }
  if (out.length !== B) throw new Error(`generate: streams cover ${out.length} rows, the batch has ${B}`);
  return out;
}

/** Additive attention bias [B,1,Tq,Tk] for the last tq positions of each mask row: causal + padded keys masked. */
function biasFromMask(mask: number[][], tq: number): tf.Tensor4D {
  const B = mask.length;
  const tk = mask[0]!.length;
  const out = new Float32Array(B * tq * tk);
  for (let b = 0; b < B; b++) {
    const row = mask[b]!;
    for (let i = 0; i < tq; i++) {
      const qPos = tk - tq + i;
      for (let j = 0; j < tk; j++) if (j > qPos || row[j] === 0) out[(b * tq + i) * tk + j] = MASKED;
    }
  }
  return tf.tensor4d(out, [B, 1, tq, tk]);
}

/** Teacher-forced log p(token_j | tokens_<j) for j ≥ 1 of each sequence (right-padded internally, in small batches). */
export async function sequenceLogprobs(model: GPT, sequences: number[][], padId: number, batchSize = 8): Promise<number[][]> {
  const out: number[][] = [];
  for (let start = 0; start < sequences.length; start += batchSize) {
    const chunk = sequences.slice(start, start + batchSize);
    const T = Math.max(2, ...chunk.map((s) => s.length));
    if (T > model.config.n_positions) throw new Error(`sequence of ${T} tokens exceeds the model's context (n_positions=${model.config.n_positions})`);
    const ids = chunk.flatMap((s) => [...s, ...new Array(T - s.length).fill(padId)]);
    const mask = chunk.flatMap((s) => [...new Array(s.length).fill(1), ...new Array(T - s.length).fill(0)]);
    const lp = tf.tidy(() => nextTokenLogprobs(model, tf.tensor2d(ids, [chunk.length, T], "int32"), tf.tensor2d(mask, [chunk.length, T], "float32")));
    const values = (await lp.data()) as Float32Array;
    lp.dispose();
    chunk.forEach((s, i) => out.push(Array.from(values.subarray(i * (T - 1), i * (T - 1) + Math.max(0, s.length - 1)))));
  }
  return out;
}
