// The shared seeded PRNG and shuffle, pinned to the exact sequences they produced before they were merged: persisted
// display orders and seeded training runs depend on these draws, so any change must fail here first.
import { describe, expect, it } from "vitest";
import { shuffledOrder } from "../../server/services/assignment";
import { mulberry32, pick, randomInt, shuffled, shuffledIndices, shuffleInPlace } from "../../server/services/random";

describe("mulberry32", () => {
  it("gives the same floats in [0, 1) as before for a fixed seed", () => {
    const rand = mulberry32(1);
    expect([rand(), rand(), rand()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });
  it("exposes its state: setting it back (or seeding a new one with it) repeats the draws from that point", () => {
    const rand = mulberry32(9);
    rand();
    const saved = rand.state;
    const next = [rand(), rand(), rand()];
    expect([0, 1, 2].map(mulberry32(saved))).toEqual(next);
    rand.state = saved;
    expect([rand(), rand(), rand()]).toEqual(next);
  });
  it("reads the seed as an unsigned 32-bit integer", () => {
    const [a, b] = [mulberry32(-1), mulberry32(2 ** 32 - 1)];
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});

describe("Fisher–Yates shuffle", () => {
  it("keeps the pinned orders of the trainer's shuffles and the annotators' display order", () => {
    expect(shuffledIndices(10, mulberry32(3))).toEqual([9, 5, 6, 1, 2, 4, 8, 3, 0, 7]);
    expect(shuffled(["a", "b", "c", "d", "e", "f"], mulberry32(42))).toEqual(["b", "a", "e", "f", "c", "d"]);
    expect(shuffledOrder(["a", "b", "c", "d", "e"], "seed-1")).toEqual(["e", "c", "b", "a", "d"]);
    expect(shuffledOrder(["c1", "c2", "c3", "c4"], "01JD0000000000000000000000")).toEqual(["c4", "c1", "c3", "c2"]);
  });
  it("copies or shuffles in place, and draws once per position above 0", () => {
    const items = [1, 2, 3, 4, 5];
    const copy = shuffled(items, mulberry32(7));
    expect(items).toEqual([1, 2, 3, 4, 5]);
    const inPlace = [1, 2, 3, 4, 5];
    expect(shuffleInPlace(inPlace, mulberry32(7))).toBe(inPlace);
    expect(inPlace).toEqual(copy);
    let draws = 0;
    const counting = mulberry32(7);
    shuffled(items, () => (draws++, counting()));
    expect(draws).toBe(items.length - 1);
  });
  it("picks and draws integers in range", () => {
    const rand = mulberry32(5);
    for (let i = 0; i < 100; i++) {
      const n = randomInt(rand, 7);
      expect(n >= 0 && n < 7 && Number.isInteger(n)).toBe(true);
    }
    expect(["x", "y"]).toContain(pick(rand, ["x", "y"]));
    expect(() => pick(rand, [])).toThrow(/empty/);
  });
});
