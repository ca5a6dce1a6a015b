// The run page charts every metric a trainer reports, grouped for reading: GRPO's and RLOO's TRL names land beside
// PPO's (reward with the scores, kl with KL, clip ratios and completion lengths with the policy statistics).
import { describe, expect, it } from "vitest";
import { groupMetrics } from "../../app/admin/runs/[id]/metric-groups";

describe("run metric charts", () => {
  it("groups GRPO/RLOO metrics under TRL's names", () => {
    const names = ["reward", "reward_std", "frac_reward_zero_std", "kl", "objective/kl", "entropy", "clip_ratio/low_mean", "clip_ratio/region_mean", "completions/mean_length", "train/loss", "train/lr"];
    const series = Object.fromEntries(names.map((n) => [n, [{ step: 1, value: 0.5 }]]));
    const byGroup = Object.fromEntries(groupMetrics(series).map((g) => [g.title, g.charts.map((c) => c.key)]));
    expect(byGroup["Reward and score"]).toEqual(["reward", "frac_reward_zero_std", "reward_std"]);
    expect(byGroup["KL"]).toEqual(expect.arrayContaining(["kl", "objective/kl"]));
    expect(byGroup["Policy"]).toEqual(["entropy", "clip_ratio/low_mean", "clip_ratio/region_mean", "completions/mean_length"]);
    expect(byGroup["Losses"]).toEqual(["loss"]);
    expect(byGroup["Optimiser"]).toEqual(["lr"]);
    expect(byGroup["Other"]).toBeUndefined();
  });

  it("puts throughput and memory on their own charts", () => {
    const series = Object.fromEntries(["train/loss", "perf/tokens_per_s", "perf/peak_mb"].map((n) => [n, [{ step: 1, value: 2 }]]));
    const byGroup = Object.fromEntries(groupMetrics(series).map((g) => [g.title, g.charts.map((c) => c.key)]));
    expect(byGroup["Throughput and memory"]).toEqual(["perf/tokens_per_s", "perf/peak_mb"]);
  });
});
