// Training benchmark: our tfjs trainer vs the PyTorch peer at the same tiny-GPT shape, in one run, plus the
// KV-cache generation figures and the 1,000-step / 1,000-token tensor-count check.
//
// Run: npm run bench:train [-- SECONDS [ROUNDS]]   (defaults 20 s, 2 rounds; BENCH_SECONDS / BENCH_ROUNDS also work)
// Ours and the peer alternate (ours, peer, ours, peer, ...) and the best round of each is compared, because the
// machine is shared and single runs are noisy. Each result also reports cpu_s, tokens_per_cpu_s and cores_used:
// with Linux autogroup scheduling, a busy machine gives each session a fair share (often < 1 core), whatever its
// thread count, so cores_used shows how much of the 2 cores a run really had. Peer: OPENBLAS_NUM_THREADS=1 /usr/bin/python3
// ../shared/bench/torch_gpt_step.py 2 SECONDS (found relative to the repo root); skipped with a message if
// python3 has no torch.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runTrainBench, type TrainBenchResult } from "../../trainer/bench/train-bench.js";
import { runGenerateBench } from "../../trainer/bench/generate-bench.js";
import { runMemoryCheck } from "../../trainer/bench/memory-check.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const peerScript = path.resolve(repoRoot, "../shared/bench/torch_gpt_step.py");
const peerSetup = path.resolve(repoRoot, "../shared/bench/torch-peer.sh");
const seconds = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 20);
const rounds = Number(process.argv[3] ?? process.env.BENCH_ROUNDS ?? 2);

interface PeerResult {
  tokens_per_s: number;
  ms_per_step: number;
  [k: string]: unknown;
}

/** The python that runs the peer: torch-peer.sh's PyTorch 2 venv when it can be set up, else Debian's python3. */
function peerPython(): { python: string; env: NodeJS.ProcessEnv } {
  const venvPython = path.join(process.env.TORCH_PEER_VENV ?? path.join(os.homedir(), ".cache/torch-peer-venv"), "bin/python");
  // A one-second run of the setup script creates the venv the first time (offline, from the local wheel).
  if (!fs.existsSync(venvPython) && fs.existsSync(peerSetup)) spawnSync("bash", [peerSetup, "1", "1"], { encoding: "utf8" });
  if (fs.existsSync(venvPython) && spawnSync(venvPython, ["-c", "import torch"]).status === 0) return { python: venvPython, env: process.env };
  return { python: "/usr/bin/python3", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } };
}

function peerAvailable(python: string): string | null {
  if (!fs.existsSync(peerScript)) return `peer script not found at ${peerScript}`;
  const r = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (r.status !== 0) return `${python} cannot import torch (apt-get install python3-torch)`;
  return null;
}

// Runs the peer unchanged, inside a wrapper that also reports its CPU seconds (torch imported before the baseline,
// so the figure covers the steps, like ours does).
const PEER_WRAPPER = [
  "import json, resource, runpy, sys, torch",
  "r0 = resource.getrusage(resource.RUSAGE_SELF)",
  "sys.argv = sys.argv[1:]",
  "runpy.run_path(sys.argv[0], run_name='__main__')",
  "r1 = resource.getrusage(resource.RUSAGE_SELF)",
  "print(json.dumps({'cpu_s': round(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, 3)}))",
].join("\n");

function runPeer(): PeerResult {
  const r = spawnSync(peer.python, ["-c", PEER_WRAPPER, peerScript, "2", String(seconds)], { encoding: "utf8", env: peer.env });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr.trim().split("\n").at(-1)}`);
  const lines = r.stdout.trim().split("\n");
  const result = JSON.parse(lines.at(-2)!) as PeerResult;
  const cpu = JSON.parse(lines.at(-1)!) as { cpu_s: number };
  // tokens over the whole run / CPU seconds over the whole run (3 warm-up steps included, a small bias against torch)
  const tokens = (result.tokens_per_s as number) * (result.ms_per_step as number) / 1000 * ((result.steps as number) + 3);
  const wall = ((result.ms_per_step as number) * ((result.steps as number) + 3)) / 1000;
  return { ...result, cpu_s: cpu.cpu_s, tokens_per_cpu_s: Math.round(tokens / cpu.cpu_s), cores_used: Math.round((cpu.cpu_s / wall) * 100) / 100 };
}

const peer = peerPython();
const skipPeer = peerAvailable(peer.python);
const ours: TrainBenchResult[] = [];
const peers: PeerResult[] = [];
for (let i = 0; i < rounds; i++) {
  ours.push(await runTrainBench({ config: "tiny", seconds, workers: 2 }));
  console.log(`round ${i + 1} ours:  ${JSON.stringify(ours.at(-1))}`);
  if (!skipPeer) {
    peers.push(runPeer());
    console.log(`round ${i + 1} torch: ${JSON.stringify(peers.at(-1))}`);
  }
}
const best = ours.reduce((a, b) => (b.tokens_per_s > a.tokens_per_s ? b : a));
console.log(`\nours (best of ${rounds}): ${JSON.stringify(best)}`);
if (skipPeer) {
  console.log(`peer skipped: ${skipPeer}`);
} else {
  const bestPeer = peers.reduce((a, b) => (b.tokens_per_s > a.tokens_per_s ? b : a));
  console.log(`torch (best of ${rounds}): ${JSON.stringify(bestPeer)}`);
  const ratio = bestPeer.tokens_per_s / best.tokens_per_s;
  const spread = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)}`;
  console.log(`ratio torch/ours: ${ratio.toFixed(2)} (target ≤ 3); ours tok/s ${spread(ours.map((o) => o.tokens_per_s))}, torch tok/s ${spread(peers.map((p) => p.tokens_per_s))}`);
  // Each round's ratio (ours and the peer back to back, under the same load) and their median.
  const roundRatios = peers.map((p, i) => p.tokens_per_s / ours[i]!.tokens_per_s);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(`ratio per round: ${roundRatios.map((r) => r.toFixed(2)).join(", ")}; median ${median(roundRatios).toFixed(2)}`);
  // Per CPU-second: less sensitive to other jobs on a shared machine (torch's spinning threads still count against it).
  const cpuRatio = Math.max(...peers.map((p) => p.tokens_per_cpu_s as number)) / Math.max(...ours.map((o) => o.tokens_per_cpu_s));
  console.log(`ratio per CPU-second torch/ours: ${cpuRatio.toFixed(2)}`);
}
for (const batch of [1, 16]) console.log(`generate (batch ${batch}): ${JSON.stringify(await runGenerateBench({ config: "tiny", seconds: Math.min(seconds, 10), batch }))}`);
console.log(`memory: ${JSON.stringify(await runMemoryCheck({ steps: 1000, tokens: 1000 }))}`);
