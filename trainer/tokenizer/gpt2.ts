// GPT-2 byte-level BPE via js-tiktoken's bundled gpt2 ranks (offline), for imported GPT-2 checkpoints.
//
// EOS = <|endoftext|> = 50256. GPT-2 has no pad token, so padId = EOS; padding is always masked, so this is safe.
// Special-token text typed by a user is encoded as ordinary text (disallowedSpecial = []), never as EOS.

import { Tiktoken } from "js-tiktoken/lite";
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import type { Tokenizer } from "./types.js";
import { decodeByteTokens } from "./utf8.js";

export const GPT2_EOS = 50256;

let shared: Tiktoken | null = null;

/**
 * js-tiktoken keeps each rank's bytes in `textMap` but only exposes a decode that turns partial characters into
 * U+FFFD; the sampler needs the bytes themselves. Checked at load, so a js-tiktoken without it fails loudly.
 */
function tokenByteMap(bpe: Tiktoken): Map<number, Uint8Array> {
  const map = (bpe as unknown as { textMap?: Map<number, Uint8Array> }).textMap;
  if (!(map instanceof Map) || map.size < 50000) throw new Error("js-tiktoken no longer exposes its token bytes (textMap); pin js-tiktoken 1.0.x");
  return map;
}

export class GPT2Tokenizer implements Tokenizer {
  readonly name = "gpt2" as const;
  readonly vocabSize = 50257;
  readonly eosId = GPT2_EOS;
  readonly padId = GPT2_EOS;
  private readonly bpe: Tiktoken;
  private readonly bytes: Map<number, Uint8Array>;

  constructor() {
    // The rank table is ~1 MB of parsing work; build it once per process.
    shared ??= new Tiktoken(gpt2Ranks);
    this.bpe = shared;
    this.bytes = tokenByteMap(shared);
  }

  tokenBytes(id: number): Uint8Array | null {
    return id === GPT2_EOS ? null : (this.bytes.get(id) ?? null);
  }

  encode(text: string): number[] {
    return this.bpe.encode(text, [], []);
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    return decodeByteTokens(ids, (id) => this.tokenBytes(id), (id) => (opts.skipSpecial ? "" : id === GPT2_EOS ? "<|endoftext|>" : ""));
  }
}
