// Tokenizers by name: 'byte' (small test models), 'words' (the built-in models) and 'gpt2' (BPE, imported GPT-2 checkpoints), and the chat template.
//
// API: getTokenizer(name) -> Tokenizer (one-line Error for unknown names); TOKENIZER_NAMES;
//      buildExample(tok, prompt, response?) -> {ids, responseMask}; buildPrompt(tok, prompt); decodeResponse(tok, ids)

import { ByteTokenizer } from "./byte.js";
import { GPT2Tokenizer } from "./gpt2.js";
import { WordTokenizer } from "./words.js";
import type { Tokenizer, TokenizerName } from "./types.js";
import { TOKENIZER_NAMES as KNOWN } from "../../server/services/tokenizer-names";

export type { Tokenizer, TokenizerName } from "./types.js";
export { buildExample, buildPrompt, buildResponse, decodeResponse, PROMPT_PREFIX, PROMPT_SUFFIX } from "./chat-template.js";
export { ByteTokenizer, BYTE_EOS, BYTE_PAD, BYTE_VOCAB_SIZE } from "./byte.js";
export { GPT2Tokenizer, GPT2_EOS } from "./gpt2.js";
export { WordTokenizer, WORDS_EOS, WORDS_PAD, learnWordVocab, wordPieces } from "./words.js";

/** The names this build knows, declared once beside model resolution (which checks them without loading tfjs). */
export const TOKENIZER_NAMES: readonly TokenizerName[] = KNOWN;

let sharedWords: WordTokenizer | null = null;

export function getTokenizer(name: string): Tokenizer {
  if (!(TOKENIZER_NAMES as readonly string[]).includes(name)) throw new Error(`unknown tokenizer '${name}': use one of ${TOKENIZER_NAMES.join(", ")}`);
  const known = name as TokenizerName;
  switch (known) {
    case "byte":
      return new ByteTokenizer();
    case "words":
      // One instance per process: its vocabulary is read from disk once.
      return (sharedWords ??= new WordTokenizer());
    case "gpt2":
      return new GPT2Tokenizer();
    default: {
      const unreachable: never = known;
      throw new Error(`unknown tokenizer '${String(unreachable)}'`);
    }
  }
}
