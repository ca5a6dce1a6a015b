// The ranking page's pure state: placing by number key or drop (swap without ties, tie with), and the groups submitted.
import { describe, expect, it } from "vitest";
import { clearRank, isComplete, placeAtRank, toGroups } from "../../app/_lib/ranking";

const ids = ["a", "b", "c", "d"];

describe("ranking state on the ranking page", () => {
  it("puts a completion at a rank and reads the ranking as groups, best first", () => {
    let r = placeAtRank({}, "c", 1, false);
    r = placeAtRank(r, "a", 2, false);
    r = placeAtRank(r, "d", 3, false);
    expect(isComplete(r, ids)).toBe(false);
    r = placeAtRank(r, "b", 4, false);
    expect(isComplete(r, ids)).toBe(true);
    expect(toGroups(r, ids)).toEqual([["c"], ["a"], ["d"], ["b"]]);
  });

  it("swaps with the holder of a rank when ties are not allowed", () => {
    const r = placeAtRank({ a: 1, b: 2 }, "b", 1, false);
    expect(r).toEqual({ a: 2, b: 1 });
    // An unranked completion taking a rank leaves the old holder unranked.
    expect(placeAtRank({ a: 1 }, "c", 1, false)).toEqual({ c: 1 });
  });

  it("ties with the holder of a rank when ties are allowed", () => {
    const r = placeAtRank({ a: 1, b: 2, c: 3, d: 4 }, "b", 1, true);
    expect(toGroups(r, ids)).toEqual([["a", "b"], ["c"], ["d"]]);
  });

  it("unranks a completion", () => {
    const r = clearRank({ a: 1, b: 2 }, "a");
    expect(r).toEqual({ b: 2 });
    expect(isComplete(r, ["a", "b"])).toBe(false);
  });
});
