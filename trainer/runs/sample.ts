// Samples K completions per prompt from a policy (seeded, one generate call per prompt so a prompt's samples do not
// depend on which other prompts were asked), with each completion's summed log-probability. Used by `rlhf sample`.
import type { GPT } from "../model/gpt";
import { generate } from "../generate/index";
import { buildPrompt, decodeResponse, type Tokenizer } from "../tokenizer/index";

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
 * K samples for one prompt. Prompt `index` offsets the seed, so re-running a prompt set gives the same samples.
 * max new tokens shrink to fit the model's context; a prompt that leaves no room is an error naming its length.
 */
export async function samplePrompt(model: GPT, tok: Tokenizer, prompt: string, index: number, p: SamplingParams): Promise<{ completions: SampledCompletion[]; maxNewTokens: number }> {
  const ids = buildPrompt(tok, prompt);
  const room = model.config.n_positions - ids.length;
  if (room < 1) throw new Error(`prompt ${index + 1} is ${ids.length} tokens, longer than the model's context of ${model.config.n_positions}`);
  const maxNewTokens = Math.min(p.maxNewTokens, room);
  const out = await generate(model, tok, Array.from({ length: p.k }, () => ids), {
    maxNewTokens,
    temperature: p.temperature,
    topK: p.topK,
    topP: p.topP,
    seed: p.seed + index * 7919,
    returnLogprobs: true,
  });
  const completions = out.tokens.map((tokens, j) => ({
    text: decodeResponse(tok, tokens),
    logprobSum: (out.logprobs?.[j] ?? []).reduce((a, b) => a + b, 0),
    finished: out.finished[j] ?? false,
    tokens: tokens.length,
  }));
  return { completions, maxNewTokens };
}
