// UTF-8 as a small automaton over bytes, so the sampler can refuse any token whose bytes cannot continue a valid
// sequence and decoders can drop invalid runs instead of showing U+FFFD.
//
// A state says how many continuation bytes are still owed and which range the next one must fall in (RFC 3629's
// table: no overlong forms, no surrogates, nothing above U+10FFFF). There are 8 states; 0 is "between characters".

/** [continuation bytes owed, lowest allowed next byte, highest allowed next byte] of each state. */
const STATES: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [1, 0x80, 0xbf],
  [2, 0xa0, 0xbf], // after E0: no overlong 3-byte forms
  [2, 0x80, 0xbf],
  [2, 0x80, 0x9f], // after ED: no surrogates
  [3, 0x90, 0xbf], // after F0: no overlong 4-byte forms
  [3, 0x80, 0xbf],
  [3, 0x80, 0x8f], // after F4: nothing above U+10FFFF
];
export const UTF8_START = 0;
export const UTF8_STATE_COUNT = STATES.length;

/** Continuation bytes still owed in `state` (0 between characters). */
export function utf8Owed(state: number): number {
  return STATES[state]![0];
}

/** The state after `byte`, or -1 when the byte cannot come next. */
export function utf8Step(state: number, byte: number): number {
  const [owed, lo, hi] = STATES[state]!;
  if (owed > 0) {
    if (byte < lo || byte > hi) return -1;
    return owed === 1 ? 0 : owed === 2 ? 1 : 3;
  }
  if (byte < 0x80) return 0;
  if (byte >= 0xc2 && byte <= 0xdf) return 1;
  if (byte === 0xe0) return 2;
  if (byte === 0xed) return 4;
  if (byte >= 0xe1 && byte <= 0xef) return 3;
  if (byte === 0xf0) return 5;
  if (byte >= 0xf1 && byte <= 0xf3) return 6;
  if (byte === 0xf4) return 7;
  return -1;
}

/** The state after a run of bytes, or -1 as soon as one cannot come next. */
export function utf8Run(state: number, bytes: ArrayLike<number>): number {
  let s = state;
  for (let i = 0; i < bytes.length && s !== -1; i++) s = utf8Step(s, bytes[i]!);
  return s;
}

/** The bytes with every invalid or unfinished sequence left out, so decoding them never yields U+FFFD. */
export function validUtf8(bytes: ArrayLike<number>): Uint8Array {
  const out: number[] = [];
  let pending: number[] = [];
  let state = UTF8_START;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    let next = utf8Step(state, b);
    if (next === -1 && state !== UTF8_START) {
      // The partial character is dropped; the byte may still start a new one.
      pending = [];
      next = utf8Step(UTF8_START, b);
    }
    if (next === -1) {
      state = UTF8_START;
      continue;
    }
    pending.push(b);
    if (next === UTF8_START) {
      out.push(...pending);
      pending = [];
    }
    state = next;
  }
  return Uint8Array.from(out);
}

const utf8Decoder = new TextDecoder("utf-8");

/**
 * Decodes token ids that each stand for bytes (or, with null bytes, for a special token): the bytes of a run of
 * ordinary tokens are joined and decoded once, with invalid runs left out, so a character split across tokens is
 * whole and a partial one never shows as U+FFFD. `special(id)` gives the text a special token shows as.
 */
export function decodeByteTokens(ids: readonly number[], tokenBytes: (id: number) => Uint8Array | null, special: (id: number) => string): string {
  let out = "";
  let run: number[] = [];
  const flush = () => {
    if (run.length) out += utf8Decoder.decode(validUtf8(run));
    run = [];
  };
  for (const id of ids) {
    const b = tokenBytes(id);
    if (b) run.push(...b);
    else {
      flush();
      out += special(id);
    }
  }
  flush();
  return out;
}
