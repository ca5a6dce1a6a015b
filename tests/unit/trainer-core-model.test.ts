// The GPT on wasm: same logits as cpu, KV cache == full pass, padding-invariant, flat memory, loss falls, generation.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { GPT, disposeCache } from "../../trainer/model/gpt.js";
import { ScalarHead } from "../../trainer/model/heads.js";
import { Adam, clipByGlobalNorm, computeGrads } from "../../trainer/model/adam.js";
import { tokenLogprobs } from "../../trainer/model/ops.js";
import { generate, sampleToken, sequenceLogprobs } from "../../trainer/generate/index.js";
import { getTokenizer } from "../../trainer/tokenizer/index.js";
import { utf8GuardFor } from "../../trainer/generate/utf8-guard.js";
import { UTF8_START } from "../../trainer/tokenizer/utf8.js";
import { mulberry32 } from "../../server/services/random.js";

const cfg = { vocab_size: 60, n_positions: 32, n_embd: 32, n_layer: 2, n_head: 4, layer_norm_epsilon: 1e-5 };
const seq = [3, 14, 15, 9, 26, 5, 35, 8, 9, 7];
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
const ids2d = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

describe("GPT model", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("wasm and cpu give the same logits on the same weights (1e-4)", async () => {
    const onWasm = tf.tidy(() => {
      const m = new GPT(cfg, { seed: 11 });
      const l = m.forward(ids2d([seq])).logits;
      m.dispose();
      return l;
    });
    const wasmValues = onWasm.arraySync();
    onWasm.dispose();
    await initBackend("cpu");
    const m = new GPT(cfg, { seed: 11 });
    const onCpu = m.forward(ids2d([seq])).logits;
    expect(maxDiff(onCpu, tf.tensor(wasmValues))).toBeLessThan(1e-4);
    m.dispose();
    await initBackend("wasm");
  });

  it("KV-cached logits equal the full forward pass", () => {
    const m = new GPT(cfg, { seed: 2 });
    const full = m.forward(ids2d([seq, [...seq].reverse()])).logits; // [2,T,V]
    const T = seq.length;
    const rows = [seq, [...seq].reverse()];
    // prefill 4 tokens, then one position at a time
    let { logits, cache } = m.forwardCached(ids2d(rows.map((r) => r.slice(0, 4))), null, { attentionMask: tf.ones([2, 4]) });
    expect(maxDiff(logits, tf.slice(full, [0, 0, 0], [2, 4, cfg.vocab_size]))).toBeLessThan(1e-4);
    logits.dispose();
    for (let t = 4; t < T; t++) {
      const r = m.forwardCached(ids2d(rows.map((row) => [row[t]!])), cache, { attentionMask: tf.ones([2, t + 1]) });
      disposeCache(cache);
      cache = r.cache;
      expect(maxDiff(r.logits, tf.slice(full, [0, t, 0], [2, 1, cfg.vocab_size]))).toBeLessThan(1e-4);
      r.logits.dispose();
    }
    disposeCache(cache);
    m.dispose();
  });

  it("left- and right-padded rows give the same logits at real positions as the unpadded row", () => {
    const m = new GPT(cfg, { seed: 5 });
    const short = seq.slice(0, 6);
    const alone = m.forward(ids2d([short])).logits;
    const padded = m.forward(ids2d([[0, 0, 0, ...short], [...short, 0, 0, 0]]), { attentionMask: tf.tensor2d([[0, 0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0, 0]]) }).logits;
    expect(maxDiff(tf.slice(padded, [0, 3, 0], [1, 6, cfg.vocab_size]), alone)).toBeLessThan(1e-4);
    expect(maxDiff(tf.slice(padded, [1, 0, 0], [1, 6, cfg.vocab_size]), alone)).toBeLessThan(1e-4);
    // KV-cache generation from a left-padded batch sees the same distribution as the unpadded prompt.
    const { logits, cache } = m.forwardCached(ids2d([[0, 0, 0, ...short]]), null, { attentionMask: tf.tensor2d([[0, 0, 0, 1, 1, 1, 1, 1, 1]]), lastOnly: true });
    expect(maxDiff(logits, tf.slice(alone, [0, 5, 0], [1, 1, cfg.vocab_size]))).toBeLessThan(1e-4);
    disposeCache(cache);
    m.dispose();
  });

  it("loss falls when overfitting a fixed batch, and tensor count stays flat across steps", () => {
    const m = new GPT(cfg, { seed: 1 });
    const head = new ScalarHead(cfg.n_embd, { seed: 1 });
    const params = new Map([...m.params, ...head.params]);
    const adam = new Adam(params, { lr: 3e-3, eps: 1e-5, weightDecay: 0.01 });
    const rand = mulberry32(9);
    const B = 4, T = 16;
    const x = ids2d(Array.from({ length: B }, () => Array.from({ length: T }, () => Math.floor(rand() * cfg.vocab_size))));
    const y = tf.tensor1d(Array.from({ length: B * T }, () => Math.floor(rand() * cfg.vocab_size)), "int32");
    const lossFn = () => tf.tidy(() => {
      const { logits, hidden } = m.forward(x);
      const lm = tf.neg(tf.mean(tokenLogprobs(tf.reshape(logits, [B * T, cfg.vocab_size]) as tf.Tensor2D, y)));
      return tf.add(lm, tf.mul(0.01, tf.mean(tf.square(head.apply(hidden))))) as tf.Scalar;
    });
    const losses: number[] = [];
    let before = 0;
    for (let s = 0; s < 40; s++) {
      if (s === 2) before = tf.memory().numTensors;
      const { loss, grads } = computeGrads(lossFn, params);
      const clipped = clipByGlobalNorm(grads, 1.0);
      adam.step(clipped.grads);
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, clipped.norm, ...grads.values(), ...clipped.grads.values()]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[0]).toBeGreaterThan(Math.log(cfg.vocab_size) - 0.3);
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    adam.dispose();
    m.dispose();
    head.dispose();
  });

  it("generates with a seed reproducibly, greedy = argmax of the full pass, stops at EOS, and keeps memory flat", async () => {
    const tok = getTokenizer("byte");
    const m = new GPT({ ...cfg, vocab_size: tok.vocabSize }, { seed: 4 });
    const prompts = [[72, 105], [87, 104, 97, 116, 63]];
    const before = tf.memory().numTensors;
    const a = await generate(m, tok, prompts, { maxNewTokens: 12, temperature: 1, topK: 20, topP: 0.9, seed: 42, returnLogprobs: true });
    expect(tf.memory().numTensors).toBe(before + 1); // the model's cached wteᵀ, nothing else
    const b = await generate(m, tok, prompts, { maxNewTokens: 12, temperature: 1, topK: 20, topP: 0.9, seed: 42, returnLogprobs: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    m.clearInferenceCache();
    expect(tf.memory().numTensors).toBe(before);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.map((t) => t.length)).toEqual(a.finished.map((f, i) => (f ? a.tokens[i]!.length : 12)));

    // Greedy: each generated token is the argmax of a full forward pass over prompt + tokens so far.
    const g = await generate(m, tok, prompts, { maxNewTokens: 6, temperature: 0, returnLogprobs: true });
    for (let i = 0; i < prompts.length; i++) {
      const all = [...prompts[i]!, ...g.tokens[i]!];
      const logits = m.forward(ids2d([all])).logits;
      // The argmax among the tokens the UTF-8 guard allows at that step (a random model favours stray bytes).
      const rows = logits.arraySync() as number[][][];
      const guard = utf8GuardFor(tok, tok.vocabSize)!;
      let state = UTF8_START;
      for (let j = 0; j < g.tokens[i]!.length; j++) {
        const banned = guard.banned(state, 6 - j - 1);
        const row = rows[0]![prompts[i]!.length - 1 + j]!;
        const best = row.reduce((bi, v, k) => (!banned?.[k] && (bi < 0 || v > row[bi]!) ? k : bi), -1);
        expect(g.tokens[i]![j]).toBe(best);
        state = guard.advance(state, g.tokens[i]![j]!);
      }
      // The returned log-probs match teacher forcing.
      const lp = (await sequenceLogprobs(m, [all], tok.padId))[0]!;
      g.logprobs![i]!.forEach((v, j) => expect(Math.abs(v - lp[prompts[i]!.length - 1 + j]!)).toBeLessThan(1e-4));
      logits.dispose();
    }
    // Stop at EOS: a sampler forced to EOS ends every row after one token.
    const eosLogits = new Float32Array(tok.vocabSize).fill(-50);
    eosLogits[tok.eosId] = 50;
    expect(sampleToken(eosLogits, { temperature: 1 }, mulberry32(1)).id).toBe(tok.eosId);
    m.dispose();
  });

  it("sequenceLogprobs equals log-softmax of the full pass, for ragged batches", async () => {
    const m = new GPT(cfg, { seed: 8 });
    const seqs = [seq, seq.slice(0, 3)];
    const lps = await sequenceLogprobs(m, seqs, 0);
    expect(lps.map((l) => l.length)).toEqual([seq.length - 1, 2]);
    const ref = tf.logSoftmax(m.forward(ids2d([seq])).logits).arraySync() as number[][][];
    for (let j = 0; j < seq.length - 1; j++) expect(Math.abs(lps[0]![j]! - ref[0]![j]![seq[j + 1]!]!)).toBeLessThan(1e-4);
    for (let j = 0; j < 2; j++) expect(Math.abs(lps[1]![j]! - lps[0]![j]!)).toBeLessThan(1e-5);
    m.dispose();
  });
});
