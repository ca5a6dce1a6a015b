// Keeps every sample valid UTF-8 whatever the tokenizer: before each token is drawn, the tokens whose bytes cannot
// continue the row's partial character are masked, and so are those that would leave a character unfinished with
// too few steps left (the last byte of a sample always ends a character). A special token (EOS) may come only
// between characters. Works from the tokenizer's per-token bytes; one transition table per UTF-8 state, built once.
import type { Tokenizer } from "../tokenizer/types.js";
import { UTF8_START, UTF8_STATE_COUNT, utf8Owed, utf8Run } from "../tokenizer/utf8.js";

export class Utf8Guard {
  /** next[state][id]: the UTF-8 state after token id, or -1 where the token cannot come next. */
  private readonly next: Array<Int8Array | undefined> = new Array(UTF8_STATE_COUNT);
  private readonly masks = new Map<number, Uint8Array | null>();

  constructor(
    private readonly tok: Tokenizer,
    private readonly vocabSize: number,
  ) {}

  private table(state: number): Int8Array {
    let t = this.next[state];
    if (!t) {
      t = new Int8Array(this.vocabSize);
      for (let id = 0; id < this.vocabSize; id++) {
        const bytes = this.tok.tokenBytes(id);
        t[id] = bytes === null ? (state === UTF8_START ? UTF8_START : -1) : utf8Run(state, bytes);
      }
      this.next[state] = t;
    }
    return t;
  }

  /**
   * 1 for each token that may not come next in `state` with `remaining` more tokens allowed after it; null when
   * every token may. Each later token brings at least one byte (every tokenizer here has all 256 single bytes).
   */
  banned(state: number, remaining: number): Uint8Array | null {
    const r = Math.min(3, Math.max(0, remaining));
    const key = state * 4 + r;
    if (this.masks.has(key)) return this.masks.get(key)!;
    const t = this.table(state);
    const mask = new Uint8Array(this.vocabSize);
    let any = false;
    for (let id = 0; id < this.vocabSize; id++) {
      if (t[id] === -1 || utf8Owed(t[id]!) > r) {
        mask[id] = 1;
        any = true;
      }
    }
    const out = any ? mask : null;
    this.masks.set(key, out);
    return out;
  }

  /** The row's state after sampling `id`. */
  advance(state: number, id: number): number {
    const s = this.table(state)[id]!;
    return s === -1 ? UTF8_START : s;
  }
}

const guards = new WeakMap<Tokenizer, Map<number, Utf8Guard>>();

/** The guard for a tokenizer and model vocabulary (cached: building GPT-2's tables walks 50k tokens). */
export function utf8GuardFor(tok: Tokenizer, vocabSize: number): Utf8Guard | null {
  if (typeof tok.tokenBytes !== "function") return null; // stand-in tokenizers of bare ids (tests) have no bytes
  let byVocab = guards.get(tok);
  if (!byVocab) guards.set(tok, (byVocab = new Map()));
  let guard = byVocab.get(vocabSize);
  if (!guard) byVocab.set(vocabSize, (guard = new Utf8Guard(tok, vocabSize)));
  return guard;
}
