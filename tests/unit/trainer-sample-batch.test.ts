// `rlhf sample` batches several prompts' K samples into one forward: each prompt keeps its own seeded stream, so its
// samples are the ones it gets sampled alone (checked on the built-in model), and generate's streams cover the batch.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index";
import { loadCheckpoint, type LoadedCheckpoint } from "../../trainer/checkpoint/index";
import { generate } from "../../trainer/generate/index";
import { BUILTIN_MODEL_DIR } from "../../trainer/builtin/paths";
import { DataParallel } from "../../trainer/model/data-parallel";
import { samplePrompt, samplePrompts } from "../../trainer/runs/sample";
import { buildPrompt, getTokenizer, type Tokenizer } from "../../trainer/tokenizer/index";

let base: LoadedCheckpoint;
let tok: Tokenizer;
beforeAll(async () => {
  await initBackend("wasm");
  base = await loadCheckpoint(BUILTIN_MODEL_DIR);
  tok = getTokenizer(base.tokenizer);
});

// Prompts of different lengths, so the batch is left-padded.
const PROMPTS = [
  "Write a haiku about autumn leaves.",
  "How do I reverse a string in Python?",
  "Give me three tips for better sleep.",
  "What is a good name for a cat?",
  "Explain why the sky is blue in simple words for a child who keeps asking.",
  "Suggest a quick dinner.",
];

describe("batched sampling", () => {
  it("gives every prompt the samples it gets alone, whichever prompts share its batch", async () => {
    const p = { k: 3, maxNewTokens: 24, temperature: 1, topK: 0, topP: 1, seed: 5 };
    const alone: Awaited<ReturnType<typeof samplePrompt>>[] = [];
    for (const [index, prompt] of PROMPTS.entries()) alone.push(await samplePrompt(base.model, tok, prompt, index, p));
    const batched = await samplePrompts(base.model, tok, PROMPTS.map((prompt, index) => ({ prompt, index })), p);
    // The same prompts in another order and company: prompt i keeps its seed (index i), so its samples do not move.
    const shuffled = await samplePrompts(base.model, tok, [4, 1, 5].map((index) => ({ prompt: PROMPTS[index]!, index })), p);
    batched.forEach((b, i) => {
      expect(b.completions.map((c) => c.text)).toEqual(alone[i]!.completions.map((c) => c.text));
      // Padding changes float reductions in the last bits: log-probs agree to float32 rounding, not bit for bit.
      b.completions.forEach((c, j) => expect(c.logprobSum).toBeCloseTo(alone[i]!.completions[j]!.logprobSum, 3));
    });
    expect(shuffled.map((s) => s.completions.map((c) => c.text))).toEqual([4, 1, 5].map((i) => alone[i]!.completions.map((c) => c.text)));
    // Different prompts and different seeds do differ (the check above is not vacuous).
    expect(new Set(batched.flatMap((b) => b.completions.map((c) => c.text))).size).toBeGreaterThan(PROMPTS.length);
  });

  it("a stream per range of rows draws as one generate call per range; streams must cover the batch", async () => {
    const ids = [buildPrompt(tok, PROMPTS[0]!), buildPrompt(tok, PROMPTS[3]!)];
    const opts = { maxNewTokens: 12, temperature: 1 };
    const a = await generate(base.model, tok, [ids[0]!, ids[0]!], { ...opts, seed: 7 });
    const b = await generate(base.model, tok, [ids[1]!, ids[1]!], { ...opts, seed: 8 });
    const both = await generate(base.model, tok, [ids[0]!, ids[0]!, ids[1]!, ids[1]!], { ...opts, streams: [{ seed: 7, rows: 2 }, { seed: 8, rows: 2 }] });
    expect(both.tokens).toEqual([...a.tokens, ...b.tokens]);
    await expect(generate(base.model, tok, [ids[0]!], { ...opts, streams: [{ seed: 7, rows: 2 }] })).rejects.toThrow("generate: streams cover 2 rows, the batch has 1");
  });

  it("splits the prompts across threads (`rlhf sample` on every core) with the samples one thread gives", async () => {
    const p = { k: 2, maxNewTokens: 16, temperature: 1, topK: 0, topP: 1, seed: 9 };
    const items = PROMPTS.map((prompt, index) => ({ prompt, index }));
    const one = await samplePrompts(base.model, tok, items, p);
    const dp = await DataParallel.start({ replicas: [{ gpt: base.model }], backend: "wasm", threads: 2 });
    try {
      const task = { module: new URL("../../trainer/runs/sample.ts", import.meta.url).href, name: "samplePromptsTask" };
      const two = await dp.split<(typeof items)[number], (typeof one)[number]>(items, task, (part) => ({ tokenizer: base.tokenizer, items: part, params: p }));
      expect(two.map((o) => o.completions.map((c) => c.text))).toEqual(one.map((o) => o.completions.map((c) => c.text)));
    } finally {
      await dp.close();
    }
  });
});
