// Tokenizers by name: 'byte' (built-in models) and 'gpt2' (BPE, imported GPT-2 checkpoints), and the chat template.
//
// API: getTokenizer(name) -> Tokenizer (one-line Error for unknown names); TOKENIZER_NAMES;
//      buildExample(tok, prompt, response?) -> {ids, responseMask}; buildPrompt(tok, prompt); decodeResponse(tok, ids)

import { ByteTokenizer } from "./byte.js";
import { GPT2Tokenizer } from "./gpt2.js";
import type { Tokenizer, TokenizerName } from "./types.js";

export type { Tokenizer, TokenizerName } from "./types.js";
export { buildExample, buildPrompt, buildResponse, decodeResponse, PROMPT_PREFIX, PROMPT_SUFFIX } from "./chat-template.js";
export { ByteTokenizer, BYTE_EOS, BYTE_PAD, BYTE_VOCAB_SIZE } from "./byte.js";
export { GPT2Tokenizer, GPT2_EOS } from "./gpt2.js";

export const TOKENIZER_NAMES: readonly TokenizerName[] = ["byte", "gpt2"];

export function getTokenizer(name: string): Tokenizer {
  if (name === "byte") return new ByteTokenizer();
  if (name === "gpt2") return new GPT2Tokenizer();
  throw new Error(`unknown tokenizer '${name}': use one of ${TOKENIZER_NAMES.join(", ")}`);
}
