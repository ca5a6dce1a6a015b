// Real runs on every core: tokens/s of `rlhf train sft` and of PPO iterations on the built-in model, with
// RLHF_WORKERS=1 and 2, through the CLI as a user runs them (library defaults except data sizes and step budgets).
// The runs alternate (1, 2, 1, 2, …) because a shared machine's load drifts; each figure is the median of the run's
// per-step perf/tokens_per_s (the first 2 steps, with the worker start, left out), and the best round of each
// thread count is compared. cores_used = CPU seconds / wall seconds of the whole CLI process (GNU time): under load
// from other jobs it shows how much of the machine a run really had.
//
//   npm run bench:dp -- [KINDS=sft,ppo] [STEPS=12] [ROUNDS=2]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { REPO_ROOT } from "../support/server";

const KINDS = (process.argv[2] ?? "sft,ppo").split(",");
const STEPS = Number(process.argv[3] ?? 12);
const ROUNDS = Number(process.argv[4] ?? 2);
const home = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-dp-bench-"));
const env = { ...process.env, RLHF_HOME: home, DATABASE_URL: path.join(home, "rlhf.db"), RLHF_QUIET_BACKEND: "1" };

interface CliResult {
  out: Record<string, unknown>;
  peakMb: number;
  wall: number;
  cpu: number;
}

function rlhf(args: string[], extraEnv: Record<string, string> = {}): CliResult {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %M %e %U %S", process.execPath, path.join(REPO_ROOT, "trainer/bin/rlhf.mjs"), ...args, "--json"], {
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const m = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
  if (r.status !== 0 || !m) throw new Error(`rlhf ${args.join(" ")} failed: ${(r.stderr ?? "").trim().split("\n").filter((l) => !l.startsWith("TIME")).at(-1)}`);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  return { out, peakMb: Number(m[1]) / 1024, wall: Number(m[2]), cpu: Number(m[3]) + Number(m[4]) };
}

/** Median of a run's per-step metric, without its first two steps (worker start, first-call compilation). */
function medianMetric(runId: string, name: string): number {
  const db = new Database(env.DATABASE_URL, { readonly: true });
  try {
    const rows = db.prepare("select value from run_metrics where run_id = ? and name = ? order by step").all(runId, name) as { value: number }[];
    const values = rows.slice(2).map((r) => r.value).sort((a, b) => a - b);
    return values.length ? values[Math.floor(values.length / 2)]! : NaN;
  } finally {
    db.close();
  }
}

/** PPO's phases per iteration (median seconds): which of them the threads shorten. */
function ppoPhases(runId: string): string {
  return ["rollout", "scoring", "update"].map((p) => `${p} ${medianMetric(runId, `time/${p}_s`).toFixed(2)} s`).join(", ");
}

/** English-ish demonstrations and preference pairs for the built-in (word-level) model. */
function writeData(): { demos: string; pairs: string } {
  const topics = ["tea", "rain", "music", "trees", "bread", "the sea", "winter", "cats"];
  const demos = path.join(home, "demos.jsonl");
  const pairs = path.join(home, "pairs.jsonl");
  const answer = (t: string, i: number) => `I like ${t}. It is a good thing to think about, and it makes the day feel calm and warm.`.repeat(1 + (i % 3));
  const lines = (f: (t: string, i: number) => object) => topics.flatMap((t) => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => JSON.stringify(f(t, i)))).join("\n");
  fs.writeFileSync(demos, lines((t, i) => ({ prompt: `Tell me about ${t}, please (${i}).`, completion: answer(t, i) })));
  fs.writeFileSync(pairs, lines((t, i) => ({ prompt: `Tell me about ${t}, please (${i}).`, chosen: answer(t, i), rejected: `No.` })));
  return { demos, pairs };
}

const { demos, pairs } = writeData();
rlhf(["projects", "create", "dpbench"]);
rlhf(["import", "demonstrations", demos, "--project", "dpbench"]);
rlhf(["import", "rankings", pairs, "--project", "dpbench"]);
const budget = (name: string, cfg: object) => {
  const file = path.join(home, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ project: "dpbench", ...cfg }));
  return file;
};
if (KINDS.includes("ppo")) rlhf(["train", "rm", "--base", "base", "--name", "bench-rm", "--config", budget("rm", { max_steps: 10 })], { RLHF_WORKERS: "2" });

const commands: Record<string, string[]> = {
  sft: ["train", "sft", "--base", "base", "--config", budget("sft", { max_steps: STEPS })],
  ppo: ["train", "ppo", "--base", "base", "--reward", "bench-rm", "--config", budget("ppo", { max_steps: STEPS })],
};
console.log(`\n### Data-parallel training on the built-in model, ${os.availableParallelism()} cores, ${new Date().toISOString().slice(0, 16)}Z (load average ${os.loadavg()[0]!.toFixed(1)} at start)`);
console.log(`command: npm run bench:dp -- ${KINDS.join(",")} ${STEPS} ${ROUNDS}\n`);
console.log("| run | RLHF_WORKERS | round | tokens/s (median step) | wall s | cores_used | peak RSS MB |");
console.log("|---|---|---|---|---|---|---|");
for (const kind of KINDS) {
  const best: Record<string, number> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const workers of ["1", "2"]) {
      const r = rlhf(commands[kind]!, { RLHF_WORKERS: workers });
      const runId = String(r.out.run_id);
      const rate = medianMetric(runId, "perf/tokens_per_s");
      best[workers] = Math.max(best[workers] ?? 0, rate);
      console.log(`| rlhf train ${kind} | ${workers} | ${round} | ${rate.toFixed(0)} | ${r.wall.toFixed(1)} | ${(r.cpu / r.wall).toFixed(2)} | ${r.peakMb.toFixed(0)} |${kind === "ppo" ? ` ${ppoPhases(runId)}` : ""}`);
    }
  }
  console.log(`\n${kind}: best tokens/s ${best["1"]!.toFixed(0)} with 1 thread, ${best["2"]!.toFixed(0)} with 2: ${(best["2"]! / best["1"]!).toFixed(2)}× (target ≥ 1.7×)\n`);
}
fs.rmSync(home, { recursive: true, force: true });
