// The CLI progress bar: bar, step/total, rate, ETA and metrics; a redrawn line on a TTY, a line every N% elsewhere.
import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../trainer/runs/progress";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (s: string) => writes.push(s) } };
}

describe("ProgressBar", () => {
  it("renders bar, step/total, rate, ETA and the latest metrics", () => {
    let now = 0;
    const { stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 100, label: "sft", unit: "step", stream, now: () => now });
    now = 10_000;
    bar.update(25, { "train/loss": 1.23456 });
    expect(bar.render()).toBe("sft [######..................] 25/100 2.50 step/s ETA 0:30 train/loss=1.2346");
  });

  it("without a TTY prints one line per N percent, and a last line when done", () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 200, stream, everyPercent: 25 });
    for (let i = 1; i <= 200; i++) bar.update(i);
    bar.done();
    expect(writes.map((w) => w.match(/ (\d+)\/200 /)![1])).toEqual(["1", "50", "100", "150", "200"]);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
  });

  it("on a TTY redraws one line in place and ends it with a newline", () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar({ total: 3, stream, now: () => (now += 200) });
    bar.update(1);
    bar.update(2);
    bar.update(3);
    bar.done();
    expect(writes.slice(0, 3).every((w) => w.startsWith("\r"))).toBe(true);
    expect(writes[writes.length - 1]!.endsWith("\n")).toBe(true);
  });

  it("prints nothing when quiet", () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 10, stream, quiet: true });
    bar.update(5);
    bar.done();
    expect(writes).toEqual([]);
  });
});
