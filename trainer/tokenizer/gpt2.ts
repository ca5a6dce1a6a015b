// GPT-2 byte-level BPE via js-tiktoken's bundled gpt2 ranks (offline), for imported GPT-2 checkpoints.
//
// EOS = <|endoftext|> = 50256. GPT-2 has no pad token, so padId = EOS; padding is always masked, so this is safe.
// Special-token text typed by a user is encoded as ordinary text (disallowedSpecial = []), never as EOS.

import { Tiktoken } from "js-tiktoken/lite";
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import type { Tokenizer } from "./types.js";

export const GPT2_EOS = 50256;

let shared: Tiktoken | null = null;

export class GPT2Tokenizer implements Tokenizer {
  readonly name = "gpt2" as const;
  readonly vocabSize = 50257;
  readonly eosId = GPT2_EOS;
  readonly padId = GPT2_EOS;
  private readonly bpe: Tiktoken;

  constructor() {
    // The rank table is ~1 MB of parsing work; build it once per process.
    shared ??= new Tiktoken(gpt2Ranks);
    this.bpe = shared;
  }

  encode(text: string): number[] {
    return this.bpe.encode(text, [], []);
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    const kept = opts.skipSpecial ? ids.filter((id) => id !== GPT2_EOS) : [...ids];
    return this.bpe.decode(kept);
  }
}
