// The reward model and DPO trainers on toy data made here: byte-level texts where more 'a's is better.
// The RM learns the preference (held-out accuracy) and normalises to mean 0 / std 1; DPO widens the margin.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../trainer/backend";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { buildExample, getTokenizer } from "../../trainer/tokenizer";
import { memoryContext } from "../../trainer/rl/context";
import { evaluateRankings, scoreTexts, trainRewardModel, type RankingExample } from "../../trainer/rl/reward";
import { parseRunConfig } from "../../server/services/run-kinds/index";
const parseRewardConfig = (raw: unknown) => parseRunConfig("reward", raw);
import { trainDPO, type PairExample } from "../../trainer/rl/dpo";
const parseDPOConfig = (raw: unknown) => parseRunConfig("dpo", raw);
import { meanStd } from "../../trainer/rl/utils";
import { mulberry32 } from "../../server/services/random";

const tok = getTokenizer("byte");
const encode = (prompt: string, response: string) => buildExample(tok, prompt, response);
const shape = { vocab_size: tok.vocabSize, n_positions: 48, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };

/** Toy rankings: four 4-letter completions over {a, b} per prompt, ranked by their count of 'a' (ties grouped). */
function toyRankings(n: number, seed: number): RankingExample[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const completions = Array.from({ length: 4 }, (_, j) => ({ id: `c${i}-${j}`, text: Array.from({ length: 4 }, () => (random() < 0.5 ? "a" : "b")).join("") }));
    const countA = (t: string) => t.split("a").length - 1;
    const levels = [...new Set(completions.map((c) => countA(c.text)))].sort((x, y) => y - x);
    return {
      promptId: `p${i}`,
      prompt: `q${i % 5}`,
      split: i % 5 === 0 ? "test" : "train",
      completions,
      ranking: levels.map((l) => completions.filter((c) => countA(c.text) === l).map((c) => c.id)),
    } as RankingExample;
  });
}

describe("reward model training", () => {
  it("learns a toy preference on held-out rankings and normalises reference scores to mean 0, std 1", async () => {
    await initBackend("wasm");
    const gpt = new GPT(shape, { seed: 2 });
    const head = new ScalarHead(shape.n_embd, { seed: 2 });
    const ctx = memoryContext();
    const samples = [...Array(16).keys()].map((i) => ({ prompt: `q${i % 5}`, response: ["abab", "aaab", "bbbb", "aabb"][i % 4]! }));
    const result = await trainRewardModel({
      gpt,
      head,
      encode,
      padId: tok.padId,
      rankings: toyRankings(60, 5),
      referenceSamples: async (n) => samples.slice(0, n),
      config: parseRewardConfig({ num_train_epochs: 6, learning_rate: 3e-3, normalize_samples: 16 }),
      ctx,
    });
    expect(result.eval.accuracy).toBeGreaterThan(0.8);
    expect(ctx.metrics.filter((m) => "eval/accuracy" in m)).toHaveLength(6);
    const { mean, std } = meanStd(scoreTexts(gpt, head, samples, encode, tok.padId));
    expect(mean).toBeCloseTo(0, 3);
    expect(std).toBeCloseTo(1, 3);
    gpt.dispose();
    head.dispose();
  });
});

describe("reward model early stopping", () => {
  it("load_best_model_at_end keeps the weights of the epoch with the best held-out accuracy", async () => {
    await initBackend("wasm");
    const gpt = new GPT(shape, { seed: 3 });
    const head = new ScalarHead(shape.n_embd, { seed: 3 });
    const ctx = memoryContext();
    const rankings = toyRankings(60, 7);
    // A rate far too high on purpose: held-out accuracy jumps around from epoch to epoch.
    const result = await trainRewardModel({
      gpt, head, encode, padId: tok.padId, rankings,
      config: parseRewardConfig({ num_train_epochs: 5, learning_rate: 3e-2, normalize: false }),
      ctx,
    });
    const perEpoch = ctx.metrics.filter((m) => "eval/accuracy" in m).map((m) => m["eval/accuracy"]!);
    expect(perEpoch).toHaveLength(5);
    expect(result.eval.accuracy).toBe(Math.max(...perEpoch));
    // The weights in place are that epoch's: evaluating them again gives the same accuracy.
    const again = evaluateRankings(gpt, head, rankings.filter((r) => r.split === "test"), encode, tok.padId);
    expect(again.accuracy).toBeCloseTo(result.eval.accuracy, 6);
    gpt.dispose();
    head.dispose();
  });
});

describe("DPO training", () => {
  it("raises the chosen/rejected margin on a toy pair set", async () => {
    await initBackend("wasm");
    const policy = new GPT(shape, { seed: 4 });
    const reference = new GPT(shape, { seed: 4 });
    const pairs: PairExample[] = Array.from({ length: 24 }, (_, i) => ({
      promptId: `p${i}`,
      prompt: `q${i % 6}`,
      split: i % 6 === 0 ? "test" : "train",
      chosen: "aaaa",
      rejected: "bbbb",
    }));
    const ctx = memoryContext();
    const result = await trainDPO({ policy, reference, encode, padId: tok.padId, pairs, config: parseDPOConfig({ num_train_epochs: 3, learning_rate: 3e-3, batch_size: 4 }), ctx });
    const first = ctx.metrics[0]!;
    expect(first["rewards/margins"]).toBeCloseTo(0, 5); // policy = reference at step 1
    expect(result.eval!.margin).toBeGreaterThan(0.5);
    expect(result.eval!.accuracy).toBe(1);

    // The same effective batch as 2 micro-batches of 2 (gradient accumulation): as many steps, and it learns as well.
    const accPolicy = new GPT(shape, { seed: 4 });
    const accCtx = memoryContext();
    const config = parseDPOConfig({ num_train_epochs: 3, learning_rate: 3e-3, batch_size: 2, gradient_accumulation_steps: 2 });
    const accumulated = await trainDPO({ policy: accPolicy, reference, encode, padId: tok.padId, pairs, config, ctx: accCtx });
    expect(accCtx.metrics.filter((m) => "train/loss" in m)).toHaveLength(ctx.metrics.filter((m) => "train/loss" in m).length);
    expect(accumulated.eval!.margin).toBeGreaterThan(0.5);
    expect(Math.abs(accumulated.eval!.margin - result.eval!.margin)).toBeLessThan(0.05 * result.eval!.margin);
    accPolicy.dispose();
    policy.dispose();
    reference.dispose();
  });
});
