// The one chat template: how a prompt and a response become tokens, and which tokens are the response.
//
//   prompt part:   encode("Human: " + prompt + "\n\nAssistant:")
//   response part: encode(" " + response) + [EOS]
// The two parts are encoded separately (as TRL does), so the prompt's tokens are identical whether or not a response
// follows; generation starts right after the prompt part. responseMask is 1 on response tokens and the EOS.
// The wording follows the hh-rlhf transcripts the exporter writes, so exported and trained formats agree.

import type { Tokenizer } from "./types.js";

export const PROMPT_PREFIX = "Human: ";
export const PROMPT_SUFFIX = "\n\nAssistant:";

/** Token ids of the prompt part, ready for generation. */
export function buildPrompt(tok: Tokenizer, prompt: string): number[] {
  return tok.encode(PROMPT_PREFIX + prompt + PROMPT_SUFFIX);
}

/** Token ids of a response as the model should produce it, ending in EOS. */
export function buildResponse(tok: Tokenizer, response: string): number[] {
  return [...tok.encode(" " + response), tok.eosId];
}

/** Prompt (+ response + EOS) as one sequence, with responseMask marking the tokens a model is trained to produce. */
export function buildExample(tok: Tokenizer, prompt: string, response?: string): { ids: number[]; responseMask: number[] } {
  const p = buildPrompt(tok, prompt);
  const r = response === undefined ? [] : buildResponse(tok, response);
  return { ids: [...p, ...r], responseMask: [...p.map(() => 0), ...r.map(() => 1)] };
}

/** Text of generated response tokens: drops the trailing EOS and the template's leading space. */
export function decodeResponse(tok: Tokenizer, ids: readonly number[]): string {
  const text = tok.decode(ids, { skipSpecial: true });
  return text.startsWith(" ") ? text.slice(1) : text;
}
