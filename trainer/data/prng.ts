// Seeded choices and a Fisher–Yates shuffle on the model's PRNG, so data order is reproducible from a seed.

/** Returns a function giving uniform floats in [0, 1), fully determined by `seed` (the model's mulberry32). */
export { mulberry32 as seededRandom } from "../model/prng";

/** An integer in [0, n) from `rand`. */
export function randomInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** One element of `items`, chosen by `rand`. */
export function pick<T>(rand: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick() from an empty list");
  return items[randomInt(rand, items.length)]!;
}

/** A shuffled copy of `items` (Fisher–Yates); the input is left untouched. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rand, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
