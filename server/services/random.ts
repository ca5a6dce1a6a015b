// Seeded randomness for the web app and the trainer: one PRNG and one shuffle, so a display order, a data order or
// a model init is fully determined by its seed and drawn the same way wherever it is computed.
//
// Pure and import-free: the web side and the trainer both import it (the trainer only through server/services).

/** A seeded draw function whose whole state is one 32-bit integer, readable and settable (a resumed run sets it back). */
export interface SeededRandom {
  (): number;
  /** The state after the draws so far: setting it (or `mulberry32(state)`) continues exactly from that point. */
  state: number;
}

/**
 * mulberry32: uniform floats in [0, 1) fully determined by `seed`. 32 bits of state, a few integer ops per draw;
 * plenty for shuffles, sampling and weight init, and the same sequence on every JS engine and tfjs backend.
 */
export function mulberry32(seed: number): SeededRandom {
  let a = seed >>> 0;
  const draw = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // A property rather than a wrapper object: every caller that takes a plain `() => number` keeps working.
  return Object.defineProperty(draw, "state", {
    get: () => a,
    set: (value: number) => {
      a = value >>> 0;
    },
  }) as SeededRandom;
}

/** An integer in [0, n) from `rand`. */
export function randomInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** One element of `items`, chosen by `rand`. */
export function pick<T>(rand: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick() from an empty list");
  return items[randomInt(rand, items.length)]!;
}

/**
 * Fisher–Yates shuffle of `items` in place; returns the same array. Walks i from the last index down to 1 and swaps
 * i with j = ⌊rand()·(i+1)⌋, one draw per step: persisted display orders and seeded training runs depend on
 * exactly this sequence of draws, so keep it.
 */
export function shuffleInPlace<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rand, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A shuffled copy of `items`; the input is left untouched. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  return shuffleInPlace(items.slice(), rand);
}

/** 0..n-1 in shuffled order (an epoch's visiting order). */
export function shuffledIndices(n: number, rand: () => number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), rand);
}
