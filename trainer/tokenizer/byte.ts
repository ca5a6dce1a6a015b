// Byte-level tokenizer for the small built-in models: one token per UTF-8 byte, plus a few specials.
//
// Ids: 0–255 = bytes, 256 = <|endoftext|> (EOS), 257 = <|pad|>, 258–259 reserved (unused today, kept so that
// adding e.g. role markers later does not change the vocabulary size of saved models). vocabSize = 260.
// Round-trips any Unicode string exactly: encode is UTF-8, decode is UTF-8 with invalid byte runs (which only model
// samples can produce, and the sampler no longer does) left out rather than shown as U+FFFD.

import type { Tokenizer } from "./types.js";
import { validUtf8 } from "./utf8.js";

export const BYTE_EOS = 256;
export const BYTE_PAD = 257;
export const BYTE_VOCAB_SIZE = 260;
const SPECIAL_NAMES: Record<number, string> = { 256: "<|endoftext|>", 257: "<|pad|>", 258: "<|reserved_258|>", 259: "<|reserved_259|>" };

export class ByteTokenizer implements Tokenizer {
  readonly name = "byte" as const;
  readonly vocabSize = BYTE_VOCAB_SIZE;
  readonly eosId = BYTE_EOS;
  readonly padId = BYTE_PAD;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  encode(text: string): number[] {
    return Array.from(this.encoder.encode(text));
  }

  tokenBytes(id: number): Uint8Array | null {
    return id >= 0 && id < 256 ? Uint8Array.of(id) : null;
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    let out = "";
    let run: number[] = [];
    const flush = () => {
      if (run.length) out += this.decoder.decode(validUtf8(run));
      run = [];
    };
    for (const id of ids) {
      if (id >= 0 && id < 256) run.push(id);
      else {
        flush();
        if (!opts.skipSpecial) out += SPECIAL_NAMES[id] ?? `<|unknown_${id}|>`;
      }
    }
    flush();
    return out;
  }
}
