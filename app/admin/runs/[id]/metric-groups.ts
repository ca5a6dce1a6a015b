// Turns a run's metric series into charts, grouped the way people read a run: losses, reward, KL, policy, optimiser.
// Train and eval versions of one metric share a chart (train/loss with eval/loss; rewards/margins with eval/rewards/margins).
import type { ChartSeries } from "~/app/_components/LineChart";

type Series = Record<string, { step: number; value: number }[]>;

export interface ChartSpec {
  key: string;
  title: string;
  series: ChartSeries[];
}

export interface ChartGroup {
  title: string;
  charts: ChartSpec[];
}

const GROUPS: { title: string; test: (key: string) => boolean }[] = [
  { title: "Losses", test: (k) => /loss/.test(k) },
  { title: "Reward and score", test: (k) => /^objective\/(scores|rlhf_reward|non_score_reward)$|^rewards\/|^reward(_std)?$|^frac_reward_zero_std$|accuracy/.test(k) },
  { title: "KL", test: (k) => /kl/.test(k) },
  { title: "Policy", test: (k) => /^(policy|val|clip_ratio|completions)\/|entropy/.test(k) },
  { title: "Optimiser", test: (k) => /^(lr|grad_norm)$/.test(k) },
  { title: "Throughput and memory", test: (k) => /^perf\//.test(k) },
  { title: "Other", test: () => true },
];

/** The headline chart of each group comes first. */
const HEADLINE = ["loss", "objective/scores", "reward", "rewards/margins", "accuracy", "objective/kl", "policy/entropy_avg", "entropy", "lr", "perf/tokens_per_s"];

/** Metrics drawn as one chart: "train/loss" and "eval/loss" share "loss"; chosen and rejected rewards share one. */
function chartKey(name: string): string {
  const k = name.replace(/^(train|eval)\//, "");
  return /^rewards\/(chosen|rejected)$/.test(k) ? "rewards/chosen vs rejected" : k;
}

function colorFor(name: string): { color: string; dashed?: boolean } {
  if (/rejected/.test(name)) return { color: "#dc2626" };
  if (/chosen/.test(name)) return { color: "#059669" };
  if (name.startsWith("eval/")) return { color: "#d97706", dashed: false };
  return { color: "#4f46e5" };
}

/** Charts in reading order; within a group, in the order the names sort (train before eval). */
export function groupMetrics(series: Series): ChartGroup[] {
  const byKey = new Map<string, string[]>();
  for (const name of Object.keys(series).sort()) {
    if (!series[name]!.length) continue;
    const key = chartKey(name);
    byKey.set(key, [...(byKey.get(key) ?? []), name]);
  }
  const groups: ChartGroup[] = GROUPS.map((g) => ({ title: g.title, charts: [] }));
  for (const [key, names] of byKey) {
    const index = GROUPS.findIndex((g) => g.test(key));
    const ordered = [...names].sort((a, b) => Number(a.startsWith("eval/")) - Number(b.startsWith("eval/")));
    groups[index]!.charts.push({
      key,
      title: names.length > 1 ? key : names[0]!,
      series: ordered.map((name) => ({ name, points: series[name]!, ...colorFor(name) })),
    });
  }
  const rank = (key: string) => (HEADLINE.includes(key) ? HEADLINE.indexOf(key) : HEADLINE.length);
  for (const g of groups) g.charts.sort((a, b) => rank(a.key) - rank(b.key));
  return groups.filter((g) => g.charts.length > 0);
}
