// Samples K completions per prompt from a policy, several prompts per batched forward, each prompt from its own seeded
// stream (so its samples do not depend on which other prompts were asked), with each completion's summed
// log-probability. Used by `rlhf sample` and the playground.
import type { GPT } from "../model/gpt";
import type { ReplicaModels } from "../model/gradient-workers";
import { generate } from "../generate/index";
import { buildPrompt, decodeResponse, getTokenizer, type Tokenizer } from "../tokenizer/index";

export interface SamplingParams {
  k: number;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export interface SampledCompletion {
  text: string;
  /** Σ log p(token) over the sampled tokens (EOS included), at the sampling temperature. */
  logprobSum: number;
  /** True when the model ended with EOS within maxNewTokens. */
  finished: boolean;
  tokens: number;
}

/** The sampling params as stored with each completion (snake_case, like the exports). */
export function storedSamplingParams(p: SamplingParams, maxNewTokens = p.maxNewTokens): Record<string, unknown> {
  return { temperature: p.temperature, top_k: p.topK, top_p: p.topP, max_new_tokens: maxNewTokens, seed: p.seed };
}

/**
 * Rows (prompts × K) per batched generate call. Measured on the built-in model (64 prompts × K = 4, CPU seconds): one
 * prompt per call 4.5, 16 rows 3.3, 32 rows 3.6, 64 rows 4.0, 128 rows 4.4: past a few prompts the wasm forward
 * costs more per row (attention over a longer, padded cache), so batches stay small.
 */
const MAX_ROWS_PER_CALL = 16;
/** Bytes the KV cache of one call may take: a GPT-2-sized model's rows are ~75 MB each at full context. */
const KV_CACHE_BUDGET = 256 * 1024 * 1024;

/**
 * K samples for one prompt. Prompt `index` offsets the seed, so re-running a prompt set gives the same samples.
 * max new tokens shrink to fit the model's context; a prompt that leaves no room is an error naming its length.
 */
export async function samplePrompt(model: GPT, tok: Tokenizer, prompt: string, index: number, p: SamplingParams): Promise<{ completions: SampledCompletion[]; maxNewTokens: number }> {
  return (await samplePrompts(model, tok, [{ prompt, index }], p))[0]!;
}

/**
 * K samples for each of several prompts, several prompts per batched forward. Each prompt keeps its own random stream
 * (seed + index · 7919, drawn in the order its K rows are sampled), so its samples are the ones samplePrompt gives
 * it alone, whichever prompts share its batch, as long as the batch's logits equal the lone prompt's (left padding
 * is masked; tests/unit/trainer-sample-batch.test.ts checks it on the built-in model). A prompt whose context cannot
 * hold maxNewTokens is sampled alone, with its shorter budget.
 */
export async function samplePrompts(
  model: GPT,
  tok: Tokenizer,
  items: { prompt: string; index: number }[],
  p: SamplingParams,
): Promise<{ completions: SampledCompletion[]; maxNewTokens: number }[]> {
  const encoded = items.map(({ prompt, index }) => {
    const ids = buildPrompt(tok, prompt);
    const room = model.config.n_positions - ids.length;
    if (room < 1) throw new Error(`prompt ${index + 1} is ${ids.length} tokens, longer than the model's context of ${model.config.n_positions}`);
    return { ids, index, maxNewTokens: Math.min(p.maxNewTokens, room) };
  });
  const out: { completions: SampledCompletion[]; maxNewTokens: number }[] = new Array(items.length);
  const { n_layer, n_embd } = model.config;
  const calls: number[][] = [];
  let open: number[] = [];
  let openLength = 0;
  // Shortest prompts first, so a call's rows are padded little (a prompt's samples do not depend on its company).
  const byLength = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length || a - b);
  for (const i of byLength) {
    const e = encoded[i]!;
    if (e.maxNewTokens < p.maxNewTokens) {
      calls.push([i]);
      continue;
    }
    // Rows are left-padded to the call's longest prompt; the cache holds keys and values of every layer, float32.
    const need = e.ids.length + p.maxNewTokens;
    const rows = (open.length + 1) * p.k;
    if (open.length > 0 && (rows > MAX_ROWS_PER_CALL || rows * n_layer * 2 * Math.max(openLength, need) * n_embd * 4 > KV_CACHE_BUDGET)) {
      calls.push(open);
      [open, openLength] = [[], 0];
    }
    open.push(i);
    openLength = Math.max(openLength, need);
  }
  if (open.length > 0) calls.push(open);

  for (const call of calls) {
    const maxNewTokens = encoded[call[0]!]!.maxNewTokens;
    const res = await generate(model, tok, call.flatMap((i) => Array.from({ length: p.k }, () => encoded[i]!.ids)), {
      maxNewTokens,
      temperature: p.temperature,
      topK: p.topK,
      topP: p.topP,
      streams: call.map((i) => ({ seed: p.seed + encoded[i]!.index * 7919, rows: p.k })),
      returnLogprobs: true,
    });
    call.forEach((i, c) => {
      const completions = Array.from({ length: p.k }, (_, j) => {
        const row = c * p.k + j;
        const tokens = res.tokens[row]!;
        return {
          text: decodeResponse(tok, tokens),
          logprobSum: (res.logprobs?.[row] ?? []).reduce((a, b) => a + b, 0),
          finished: res.finished[row] ?? false,
          tokens: tokens.length,
        };
      });
      out[i] = { completions, maxNewTokens };
    });
  }
  return out;
}

/**
 * samplePrompts as a data-parallel task (DataParallel.split): a thread samples its part of the prompts on its replica
 * of the policy. Each prompt's stream is seeded by its index, so the samples do not depend on the thread count.
 */
export async function samplePromptsTask(replicas: ReplicaModels[], args: unknown): Promise<unknown> {
  const a = args as { tokenizer: string; items: { prompt: string; index: number }[]; params: SamplingParams };
  return samplePrompts(replicas[0]!.gpt, getTokenizer(a.tokenizer), a.items, a.params);
}
