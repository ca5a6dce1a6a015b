// Word-level tokenizer of the built-in models: one token per word piece of the built-in corpus (" word", "Word",
// " 366", "!", "\n"), learned once by scripts/make-base-model.ts into words-vocab.json, with the 256 bytes as the
// fallback for anything else. A sample is then built from whole corpus words, so a small model cannot misspell, and
// a reply costs about a quarter of the tokens it costs in bytes (training and RL run that much faster).
//
// Ids: 0–255 = bytes, 256 = <|endoftext|> (EOS), 257 = <|pad|>, 258–259 reserved (the byte tokenizer's layout), then
// 260 + i = the vocabulary's i-th piece. Round-trips any Unicode string: a piece outside the vocabulary is its bytes.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Tokenizer } from "./types.js";
import { decodeByteTokens } from "./utf8.js";

export const WORDS_EOS = 256;
export const WORDS_PAD = 257;
/** The first id of a vocabulary piece (bytes and the byte tokenizer's four specials come first). */
export const WORDS_OFFSET = 260;
const SPECIAL_NAMES: Record<number, string> = { 256: "<|endoftext|>", 257: "<|pad|>", 258: "<|reserved_258|>", 259: "<|reserved_259|>" };

/** Text → pieces: an optional space + a word (with an inner apostrophe), an optional space + digits, one mark, one space. */
const PIECE = /[ ]?\p{L}+(?:'\p{L}+)?|[ ]?\p{N}+|[ ]?[^\s\p{L}\p{N}]|\s/gu;

/** The pieces of a text, in order; they concatenate back to the text exactly. */
export function wordPieces(text: string): string[] {
  return text.match(PIECE) ?? [];
}

/** Where the vocabulary lives, beside this file (the source tree; the web never loads tokenizers). */
export const WORDS_VOCAB_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "words-vocab.json");

let shared: string[] | null = null;

function loadVocab(): string[] {
  if (!shared) {
    if (!fs.existsSync(WORDS_VOCAB_FILE)) throw new Error(`word vocabulary ${WORDS_VOCAB_FILE} is missing: run npm run make:base-model`);
    shared = JSON.parse(fs.readFileSync(WORDS_VOCAB_FILE, "utf8")) as string[];
  }
  return shared;
}

/**
 * The vocabulary a corpus gives: every piece seen at least `minCount` times, most frequent first (ties by text, so
 * the same corpus always gives the same ids). Single bytes are left out: they already have ids.
 */
export function learnWordVocab(texts: readonly string[], minCount = 1): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const p of wordPieces(t)) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts]
    .filter(([p, n]) => n >= minCount && new TextEncoder().encode(p).length > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([p]) => p);
}

export class WordTokenizer implements Tokenizer {
  readonly name = "words" as const;
  readonly vocabSize: number;
  readonly eosId = WORDS_EOS;
  readonly padId = WORDS_PAD;
  private readonly pieces: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly pieceBytes: Uint8Array[];
  private readonly encoder = new TextEncoder();

  constructor(vocab: readonly string[] = loadVocab()) {
    this.pieces = vocab;
    vocab.forEach((p, i) => this.ids.set(p, WORDS_OFFSET + i));
    this.pieceBytes = vocab.map((p) => this.encoder.encode(p));
    this.vocabSize = WORDS_OFFSET + vocab.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const p of wordPieces(text)) {
      const id = this.ids.get(p);
      if (id !== undefined) out.push(id);
      else for (const b of this.encoder.encode(p)) out.push(b);
    }
    return out;
  }

  tokenBytes(id: number): Uint8Array | null {
    if (id >= 0 && id < 256) return Uint8Array.of(id);
    return id >= WORDS_OFFSET ? (this.pieceBytes[id - WORDS_OFFSET] ?? null) : null;
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    return decodeByteTokens(ids, (id) => this.tokenBytes(id), (id) => (opts.skipSpecial ? "" : (SPECIAL_NAMES[id] ?? `<|unknown_${id}|>`)));
  }
}
