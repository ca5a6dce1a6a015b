// Can a user's GPT-2-small-sized model train here? `npm run bench:gpt2`: makes a 124M-parameter GPT-2 (random GPT-2
// init, HF layout, GPT-2 BPE tokenizer) once, then runs `rlhf train sft|rm|dpo|ppo|grpo|rloo` on it through the CLI as
// a user would, with library defaults except data sizes and budgets (a few steps, batch 2 (4 for the online kinds,
// whose batch holds whole groups), 128 tokens), and prints wall time and peak RSS (GNU time) for each. PEFT=1 trains
// LoRA adapters (use_peft: true, the default r/alpha/targets). The online kinds score with a reward model made once
// beside the checkpoint: a LoRA adapter with zero B over it plus a random scalar head (PEFT's SEQ_CLS layout), so
// it costs no second 500 MB file. Each kind runs once per compute-thread count in WORKERS (RLHF_WORKERS for the run;
// default "1,2": one thread, then data-parallel over both cores, each worker thread holding its own copy of what the
// loss needs).
//
//   [PEFT=1] [WORKERS=1,2] npm run bench:gpt2 -- [KINDS=sft,rm,dpo] [STEPS=3]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { initBackend } from "../../trainer/backend/index";
import { loadCheckpoint, saveCheckpoint } from "../../trainer/checkpoint/index";
import { saveAdapter } from "../../trainer/checkpoint/peft";
import { ScalarHead } from "../../trainer/model/heads";
import { PRESETS } from "../../trainer/model/config";
import { GPT } from "../../trainer/model/gpt";
import { kindForVerb, runConfigFields } from "../../server/services/run-kinds/index";
import { REPO_ROOT } from "../support/server";

const KINDS = (process.argv[2] ?? "sft,rm,dpo").split(",");
const STEPS = Number(process.argv[3] ?? 3);
const CHECKPOINT = path.join(os.tmpdir(), "rlhf-gpt2-small");
const REWARD_MODEL = path.join(os.tmpdir(), "rlhf-gpt2-small-rm-adapter");
const PEFT = process.env.PEFT === "1";
const ONLINE = new Set(["ppo", "grpo", "rloo"]);
const WORKERS = (process.env.WORKERS ?? "1,2").split(",").map((w) => w.trim());

async function ensureCheckpoint(): Promise<void> {
  if (fs.existsSync(path.join(CHECKPOINT, "model.safetensors"))) return;
  await initBackend("wasm");
  const t0 = Date.now();
  const model = new GPT(PRESETS.gpt2!, { seed: 0 });
  await saveCheckpoint(CHECKPOINT, model, { tokenizer: "gpt2" });
  console.log(`made ${CHECKPOINT}: ${(model.numParams() / 1e6).toFixed(1)}M parameters in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  model.dispose();
}

/** The online kinds' reward model: the checkpoint plus a zero-delta adapter and a random head (a few MB on disk). */
async function ensureRewardModel(): Promise<void> {
  if (fs.existsSync(path.join(REWARD_MODEL, "adapter_model.safetensors"))) return;
  await initBackend("wasm");
  const { model } = await loadCheckpoint(CHECKPOINT);
  model.attachLora({ r: 1, alpha: 1, dropout: 0, targetModules: ["c_attn"] });
  const head = new ScalarHead(model.config.n_embd, { seed: 1 });
  await saveAdapter(REWARD_MODEL, model, { baseDir: CHECKPOINT, tokenizer: "gpt2", head: { kind: "reward", module: head } });
  model.dispose();
  head.dispose();
}

/** Plain-English demonstrations and preference pairs long enough to fill 128 tokens. */
function writeData(dir: string): { demos: string; pairs: string } {
  const topics = ["tides", "bread", "volcanoes", "bees", "compilers", "rainbows", "glaciers", "libraries"];
  const demos = path.join(dir, "demos.jsonl");
  const pairs = path.join(dir, "pairs.jsonl");
  const long = (t: string, i: number) =>
    `Here is a short explanation of ${t}, number ${i}. ` + `It covers what ${t} are, why they matter, and one surprising fact about ${t} that most people never hear. `.repeat(4);
  fs.writeFileSync(demos, topics.flatMap((t) => [0, 1, 2, 3].map((i) => JSON.stringify({ prompt: `Explain ${t} simply (${i}).`, completion: long(t, i) }))).join("\n"));
  fs.writeFileSync(
    pairs,
    topics.flatMap((t) => [0, 1, 2, 3].map((i) => JSON.stringify({ prompt: `Explain ${t} simply (${i}).`, chosen: long(t, i), rejected: `I don't know about ${t}.` }))).join("\n"),
  );
  return { demos, pairs };
}

function rlhf(args: string[], env: NodeJS.ProcessEnv, timed = false): { out: string; peakMb?: number; seconds?: number; cpuSeconds?: number; code: number | null } {
  const node = [path.join(REPO_ROOT, "trainer/bin/rlhf.mjs"), ...args];
  const r = timed
    ? spawnSync("/usr/bin/time", ["-f", "TIME %M %e %U %S", process.execPath, ...node], { env, encoding: "utf8", maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, node, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  const m = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
  if (r.status !== 0) process.stderr.write((r.stderr ?? "").split("\n").filter((l) => !l.startsWith("TIME")).slice(-12).join("\n") + "\n");
  return { out: r.stdout, code: r.status, ...(m ? { peakMb: Number(m[1]) / 1024, seconds: Number(m[2]), cpuSeconds: Number(m[3]) + Number(m[4]) } : {}) };
}

await ensureCheckpoint();
if (KINDS.some((k) => ONLINE.has(k))) await ensureRewardModel();
const home = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-gpt2-bench-"));
const env = { ...process.env, RLHF_HOME: home, DATABASE_URL: path.join(home, "rlhf.db") };
const { demos, pairs } = writeData(home);
rlhf(["projects", "create", "gpt2bench"], env);
rlhf(["import", "demonstrations", demos, "--project", "gpt2bench"], env);
rlhf(["import", "rankings", pairs, "--project", "gpt2bench"], env);

/** Only data sizes and budgets: every learning setting stays the library default. */
function budgetFile(kind: string): string {
  const keys = new Set(runConfigFields(kindForVerb(kind)!).map((f) => f.key));
  const online = ONLINE.has(kindForVerb(kind)!);
  const wanted = { max_steps: STEPS, batch_size: online ? 4 : 2, mini_batch_size: 2, max_length: 128, project: "gpt2bench", ...(PEFT ? { use_peft: true } : {}) };
  const budget = Object.fromEntries(Object.entries(wanted).filter(([k]) => keys.has(k)));
  const file = path.join(home, `${kind}.json`);
  fs.writeFileSync(file, JSON.stringify(budget));
  return file;
}
console.log(`\n### GPT-2 small (124M) on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}: ${STEPS} steps, batch 2 × 128 tokens (online kinds: 4 completions), ${PEFT ? "LoRA (use_peft: true, r 16 on c_attn, c_proj, c_fc)" : "full fine-tune"}, defaults otherwise\n`);
console.log(`command: ${PEFT ? "PEFT=1 " : ""}WORKERS=${WORKERS.join(",")} npm run bench:gpt2 -- ${KINDS.join(",")} ${STEPS}\n`);
// CPU seconds (user + system, every thread) beside wall time: on a shared machine wall time grows with other jobs' load.
console.log("| run | RLHF_WORKERS | exit | wall s | cpu s | peak RSS MB |");
console.log("|---|---|---|---|---|---|");
for (const kind of KINDS) {
  const reward = ONLINE.has(kindForVerb(kind)!) ? ["--reward", REWARD_MODEL] : [];
  for (const workers of WORKERS) {
    const r = rlhf(["train", kind, "--base", CHECKPOINT, ...reward, "--config", budgetFile(kind), "--json"], { ...env, RLHF_WORKERS: workers }, true);
    console.log(`| rlhf train ${kind} | ${workers} | ${r.code} | ${r.seconds?.toFixed(1) ?? "?"} | ${r.cpuSeconds?.toFixed(1) ?? "?"} | ${r.peakMb?.toFixed(0) ?? "?"} |`);
  }
}
fs.rmSync(home, { recursive: true, force: true });
