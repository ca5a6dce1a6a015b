// SFT on a tiny dataset: the loss falls below a stated bound, held-out demonstrations become more likely than under
// the base policy, the loss scores response tokens only, and the tensor count stays flat across steps.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index";
import { collate, type TokenizedExample } from "../../trainer/data/collate";
import { Adam } from "../../trainer/model/adam";
import { GPT } from "../../trainer/model/gpt";
import { parseRunConfig } from "../../server/services/run-kinds/index";
const parseSFTConfig = (raw: unknown) => parseRunConfig("sft", raw);
import { responseLogLikelihoods, sftLoss } from "../../trainer/sft/loss";
import { evalLoss, trainSFT, type TrainHooks } from "../../trainer/sft/trainer";
import { buildExample, getTokenizer } from "../../trainer/tokenizer/index";

const tok = getTokenizer("byte");
const TINY = { vocab_size: 260, n_positions: 64, n_embd: 32, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
const WORDS = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tea", "cake", "rain", "snow", "tree"];
// A learnable pattern: the reply repeats the prompt's word in a fixed frame.
const pair = (w: string) => buildExample(tok, `Say ${w}.`, `Sure: ${w}, ${w}.`);
const train = WORDS.slice(0, 9).map(pair);
const heldOut = WORDS.slice(9).map(pair);

function quietHooks(seen: { step: number; metrics: Record<string, number>; tensors: number }[] = []): TrainHooks {
  return {
    log: () => {},
    reportMetrics: (step, metrics) => seen.push({ step, metrics, tensors: tf.memory().numTensors }),
    progress: () => {},
    isCancelled: () => false,
  };
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("SFT loss", () => {
  it("is the mean NLL over response tokens only, computed independently with logSoftmax", async () => {
    const model = new GPT(TINY, { seed: 3 });
    const examples: TokenizedExample[] = [
      { ids: [72, 105, 33, 256, 5], responseMask: [0, 0, 1, 1, 1] },
      { ids: [10, 11, 12], responseMask: [0, 1, 1] },
    ];
    const batch = collate(examples, { padId: tok.padId });
    const loss = sftLoss(model, batch);
    const got = (await loss.data())[0]!;
    loss.dispose();
    // Reference: log-softmax of the logits, read at the hand-listed (row, position, next token) response targets.
    const logp = tf.tidy(() =>
      tf.logSoftmax(model.forward(tf.tensor2d(batch.inputIds, [2, batch.seqLen], "int32"), { attentionMask: tf.tensor2d(batch.attentionMask, [2, batch.seqLen], "int32") }).logits),
    );
    const lp = (await logp.array()) as number[][][];
    logp.dispose();
    const targets: [number, number, number][] = [[0, 1, 33], [0, 2, 256], [0, 3, 5], [1, 0, 11], [1, 1, 12]];
    const expected = -targets.reduce((s, [b, t, y]) => s + lp[b]![t]![y]!, 0) / targets.length;
    expect(got).toBeCloseTo(expected, 4);
    model.dispose();
  });

  it("ignores what the prompt tokens would predict: changing a prompt-position label leaves the loss unchanged", async () => {
    const model = new GPT(TINY, { seed: 4 });
    const a = collate([{ ids: [1, 2, 3, 4], responseMask: [0, 0, 1, 1] }], { padId: tok.padId });
    const b = { ...a, labels: Int32Array.from(a.labels), lossMask: Float32Array.from(a.lossMask) };
    b.labels[0] = 200; // position 0 predicts a prompt token: masked out
    const [la, lb] = [sftLoss(model, a), sftLoss(model, b)];
    expect((await la.data())[0]).toBeCloseTo((await lb.data())[0]!, 6);
    tf.dispose([la, lb]);
    model.dispose();
  });
});

describe("SFT training", () => {
  it("drives the loss below 1.0 nats/token, beats the base policy on held-out demonstrations, keeps tensors flat", async () => {
    const base = new GPT(TINY, { seed: 1 });
    const model = new GPT(TINY, { seed: 1 });
    const heldBatch = collate(heldOut, { padId: tok.padId });
    const baseLL = await responseLogLikelihoods(base, heldBatch);
    const baseEval = await evalLoss(base, heldOut, 8, tok.padId);

    const config = parseSFTConfig({ learning_rate: 1e-2, batch_size: 3, max_steps: 120, warmup_ratio: 0.05, eval_steps: 40, seed: 1 });
    const seen: { step: number; metrics: Record<string, number>; tensors: number }[] = [];
    const before = tf.memory().numTensors;
    const result = await trainSFT({ model, config, train, eval: heldOut, padId: tok.padId, hooks: quietHooks(seen) });

    // Stated bound: from ln(260) ≈ 5.56 at init to under 1.0 nats per response token on the training pairs.
    const trainLoss = await evalLoss(model, train, 8, tok.padId);
    expect(trainLoss).toBeLessThan(1.0);
    expect(result.finalTrainLoss).toBeLessThan(1.5);
    // Held-out demonstrations are more likely under the SFT policy, each one.
    const sftLL = await responseLogLikelihoods(model, heldBatch);
    sftLL.forEach((ll, i) => expect(ll).toBeGreaterThan(baseLL[i]!));
    expect(result.bestEvalLoss!).toBeLessThan(baseEval);
    // Metric names and a flat tensor count across steps (one set of Adam moments + one best-weights snapshot).
    const trainSteps = seen.filter((s) => "train/loss" in s.metrics);
    expect(Object.keys(trainSteps[0]!.metrics).sort()).toEqual(["train/grad_norm", "train/loss", "train/lr"]);
    expect(seen.some((s) => "eval/loss" in s.metrics)).toBe(true);
    const counts = trainSteps.slice(45).map((s) => s.tensors); // after the first best-weights snapshot
    expect(Math.max(...counts)).toBe(Math.min(...counts));
    result.adam.dispose();
    // Everything the loop made is gone, except what constructing + disposing an Adam leaves (measured, not assumed).
    const probe = tf.memory().numTensors;
    new Adam(model.params, { lr: 1e-3 }).dispose();
    const adamResidue = tf.memory().numTensors - probe;
    expect(tf.memory().numTensors - adamResidue).toBe(before + adamResidue);
    base.dispose();
    model.dispose();
  });

  it("keeps the best eval weights and stops when cancelled", async () => {
    const model = new GPT(TINY, { seed: 2 });
    const config = parseSFTConfig({ learning_rate: 1e-2, batch_size: 3, max_steps: 30, eval_steps: 10, seed: 2 });
    let calls = 0;
    const hooks = { ...quietHooks(), isCancelled: () => ++calls > 5 };
    await expect(trainSFT({ model, config, train, eval: heldOut, padId: tok.padId, hooks })).rejects.toThrow(/cancelled/);
    await expect(trainSFT({ model, config, train: [], eval: [], padId: tok.padId, hooks: quietHooks() })).rejects.toThrow(/no training examples/);
    model.dispose();
  });
});
