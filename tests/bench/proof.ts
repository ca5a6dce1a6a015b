// The proof (`npm run proof`): a suite of scripted judges stands in for annotators and goes through the same code
// path as humans (`rlhf prompts import` → `rlhf sample` K per prompt → `rlhf import rankings` → `rlhf train
// rm|ppo|grpo|rloo|dpo`), then held-out test prompts are sampled before and after and scored by the judge. Every
// trainer runs with the library's defaults (no --config): the proof sets data sizes only, so it measures what a user
// gets. The work is split into units (a judge's rankings and RM; then each trainer on that RM) that worker processes
// take from one queue as they come free (each with cores / jobs data-parallel threads, so the cores are shared out
// rather than oversubscribed), each judge in its own
// database. Two judges also run a PPO control: reward set to zero, and 10× the default β. Prints one table and a
// markdown block for BENCHMARKS.md.
//
// Flags: --judges a,b,... (default: the whole suite)   --jobs N (worker processes, default 2)
//        --quick (fewer prompts, for development)   --base DIR (checkpoint)
//        --work DIR --report-only (the table from the judges a run in DIR has finished)   --trainers ppo,grpo,rloo,dpo
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = argv.includes("--quick");
/** Set in the worker processes (their number): they run the units the parent sends them. */
const WORKER = flag("worker");
const WORK = flag("work") ?? fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-proof-"));
process.env.RLHF_HOME = WORK;
process.env.RLHF_QUIET_BACKEND = "1";

const { main } = await import("../../trainer/cli");
const { closeDb, getDb } = await import("../../db/index");
const { createProject } = await import("../../server/services/projects");
const { findModel, modelDir } = await import("../../server/services/models");
const { initBackend } = await import("../../trainer/backend/index");
const { loadCheckpoint } = await import("../../trainer/checkpoint/index");
const { generate, sequenceLogprobs } = await import("../../trainer/generate/index");
const { buildExample, buildPrompt, decodeResponse, getTokenizer } = await import("../../trainer/tokenizer/index");
const { BUILTIN_MODEL_DIR } = await import("../../trainer/builtin/paths");
const { generateCorpus } = await import("../../trainer/builtin/corpus");
const { scoreTexts } = await import("../../trainer/rl/reward");
const { meanStd } = await import("../../trainer/rl/utils");
const { mulberry32, shuffledIndices } = await import("../../server/services/random");
const { parseRunConfig } = await import("../../server/services/run-kinds/index");
const { JUDGES, noisyRanking } = await import("./judges");
type Judge = import("./judges").Judge;

/** Sizes of the run (data only: every learning setting is the library default). */
const SIZE = QUICK
  ? { trainPrompts: 96, testPrompts: 16, k: 4, evalSamplesPerPrompt: 2 }
  : // 384 prompts × K = 4 is the size the defaults are chosen for (issue 10).
    { trainPrompts: 384, testPrompts: 48, k: 4, evalSamplesPerPrompt: 4 };
const FLIP = 0.1;
const SEED = 11;
/** Compute budgets (never learning settings), set only for --quick: a smoke test of the whole path. */
const BUDGET: Partial<Record<"reward" | "ppo" | "grpo" | "rloo" | "dpo", Record<string, number>>> = QUICK
  ? { reward: { max_steps: 30 }, ppo: { max_steps: 3 }, grpo: { max_steps: 3 }, rloo: { max_steps: 3 }, dpo: { max_steps: 10 } }
  : {};
/** `--config FILE` holding a kind's budget, or nothing (the library defaults). */
const budgetArgs = (dir: string, kind: keyof typeof BUDGET) => (BUDGET[kind] ? ["--config", writeJson(path.join(dir, `${kind}.budget.json`), BUDGET[kind])] : []);
/** The library's defaults, read from the run kinds' schemas (for the report and the controls). */
const PPO_DEFAULTS = parseRunConfig("ppo", {});
/** Samples for ranking and evaluation are as long as the policies' training responses. */
const RESPONSE_LENGTH = PPO_DEFAULTS.response_length;
const CONTROLS: Record<string, { label: string; config: Record<string, unknown> }> = {
  // Zero reward means no RM score and no no-EOS penalty either (that penalty alone favours short answers), and a
  // zero-initialised value head instead of the critic from the RM: with λ < 1 a critic's starting values act as a
  // shaping reward.
  "zero-reward": { label: "PPO, reward set to zero", config: { reward_scale: 0, missing_eos_penalty: 0, value_model: "policy_head" } },
  // Fixed: the default adaptive controller would walk a large β back down (it moved this control 0.89 std at 0.6 nats).
  "large-beta": { label: `PPO, β ${PPO_DEFAULTS.beta * 10} fixed (10× the default)`, config: { beta: PPO_DEFAULTS.beta * 10, adaptive_kl: false } },
};
/** The online trainers and DPO, each run with the library defaults. */
const TRAINERS = ["ppo", "grpo", "rloo", "dpo"] as const;
type Trainer = (typeof TRAINERS)[number];
/** --trainers grpo,dpo runs only those (the RM always runs; the controls are PPO's, so they need ppo). */
const RUN_TRAINERS = (flag("trainers")?.split(",") ?? [...TRAINERS]) as Trainer[];
for (const k of RUN_TRAINERS) if (!TRAINERS.includes(k)) throw new Error(`unknown trainer '${k}' (known: ${TRAINERS.join(", ")})`);

const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = (Date.now() - t0) / 1000;
    process.stderr.write(`[proof] ${label}: ${timings[label]!.toFixed(1)} s\n`);
  }
}

/** Runs one `rlhf` command in-process with --json and returns its JSON object (throws its one-line error). */
async function cli(args: string[]): Promise<Record<string, unknown>> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await main([...args, "--json"]);
  } finally {
    process.stdout.write = write;
  }
  const line = chunks.join("").trim().split("\n").pop() ?? "{}";
  const out = JSON.parse(line) as Record<string, unknown>;
  if (code !== 0) throw new Error(`rlhf ${args.slice(0, 2).join(" ")} failed: ${String(out.error)}`);
  return out;
}

function writeJsonl(file: string, rows: unknown[]): string {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

function writeJson(file: string, obj: unknown): string {
  fs.writeFileSync(file, JSON.stringify(obj));
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// The base policy and the prompts.

const baseDir = flag("base") ?? process.env.PROOF_BASE ?? BUILTIN_MODEL_DIR;
if (!fs.existsSync(path.join(baseDir, "config.json"))) {
  console.error(`proof: no base checkpoint at ${baseDir}; build the built-in model first or pass --base DIR`);
  process.exit(1);
}
await initBackend();
const base = await loadCheckpoint(baseDir);
const tok = getTokenizer(base.tokenizer);

/** Distinct everyday prompts from the built-in topics, split into train and test. */
function makePrompts(): { train: string[]; test: string[] } {
  const texts = [...new Set(generateCorpus({ seed: 4242, templatePairs: 3000 }).map((p) => p.prompt))].filter((p) => buildPrompt(tok, p).length + RESPONSE_LENGTH + 1 <= base.config.n_positions);
  const order = shuffledIndices(texts.length, mulberry32(SEED));
  const picked = order.map((i) => texts[i]!);
  const train = picked.slice(0, SIZE.trainPrompts);
  const test = picked.slice(SIZE.trainPrompts, SIZE.trainPrompts + SIZE.testPrompts);
  if (test.length < SIZE.testPrompts) throw new Error(`only ${texts.length} distinct prompts; lower the sizes`);
  return { train, test };
}

/** n samples per prompt from a policy (each prompt repeated), as text, with the policy's own log-probs. */
async function samplePolicy(model: typeof base.model, prompts: string[], n: number, seed: number) {
  const rows = prompts.flatMap((p) => Array.from({ length: n }, () => p));
  const out: Array<{ prompt: string; response: string; tokens: number[]; logprobs: number[] }> = [];
  // Large batches: a sampling step costs little more for 192 rows than for 64 on this CPU.
  for (let i = 0; i < rows.length; i += 192) {
    const chunk = rows.slice(i, i + 192);
    const res = await generate(model, tok, chunk.map((p) => buildPrompt(tok, p)), { maxNewTokens: RESPONSE_LENGTH, seed: seed + i, returnLogprobs: true });
    res.tokens.forEach((t, j) => out.push({ prompt: chunk[j]!, response: decodeResponse(tok, t), tokens: t, logprobs: res.logprobs![j]! }));
  }
  return out;
}

/** Mean per-sequence KL(π‖base) on π's own samples: Σ_t log π − log π_base over response tokens. */
async function sequenceKl(samples: Awaited<ReturnType<typeof samplePolicy>>): Promise<number> {
  const seqs = samples.map((s) => [...buildPrompt(tok, s.prompt), ...s.tokens]);
  const baseLp = await sequenceLogprobs(base.model, seqs, tok.padId);
  const kls = samples.map((s, i) => {
    const promptLen = seqs[i]!.length - s.tokens.length;
    const ref = baseLp[i]!.slice(promptLen - 1, promptLen - 1 + s.tokens.length);
    return s.logprobs.reduce((acc, lp, t) => acc + lp - ref[t]!, 0);
  });
  return meanStd(kls).mean;
}

interface PolicyEval {
  mean: number;
  std: number;
  kl: number;
  eos: number;
}

async function evaluatePolicy(dir: string | null, judge: Judge, prompts: string[]): Promise<PolicyEval> {
  const policy = dir ? (await loadCheckpoint(dir)).model : base.model;
  try {
    // The base's evaluation samples are drawn once for the suite (sampleBaseOnce); a trained policy's here.
    const samples = dir ? await samplePolicy(policy, prompts, SIZE.evalSamplesPerPrompt, 777) : (JSON.parse(fs.readFileSync(path.join(WORK, "base-eval.json"), "utf8")) as Awaited<ReturnType<typeof samplePolicy>>);
    const { mean, std } = meanStd(samples.map((s) => judge.score(s.response)));
    const kl = dir ? await sequenceKl(samples) : 0;
    const eos = samples.filter((s) => s.tokens.at(-1) === tok.eosId).length / samples.length;
    return { mean, std, kl, eos };
  } finally {
    if (dir) policy.dispose();
  }
}

async function registeredDir(name: string): Promise<string> {
  const row = await findModel(getDb(), name);
  if (!row) throw new Error(`model ${name} is not registered`);
  return modelDir(row);
}

// ---------------------------------------------------------------------------------------------------------------
// The work, in units: a judge's preparation (rankings, its RM, the RM's held-out accuracy), then each trainer and the
// control on that RM, each a unit of its own, so both cores stay busy to the end of the suite. Each unit writes its
// result to a file in the judge's folder; the table is assembled from those files (also by --report-only).

interface JudgeReport {
  judge: Judge;
  labelNoise: number;
  rm: { accuracyClear: number; clearPairs: number; accuracyAll: number; evalRm: Record<string, unknown> };
  base: PolicyEval;
  trained: Partial<Record<Trainer, PolicyEval & { trainKl: number | null }>>;
  control: { name: string; label: string; eval: PolicyEval } | null;
}
type Prep = Pick<JudgeReport, "labelNoise" | "rm" | "base">;

/** A unit of work: `prep:JUDGE`, `train:JUDGE:TRAINER` or `control:JUDGE:NAME`. */
type Unit = string;
const judgeDir = (judge: string) => path.join(WORK, judge);
/** Where a unit's result lands; its existence means the unit is done. */
const unitFile = (unit: Unit) => {
  const [kind, judge, what] = unit.split(":");
  return path.join(judgeDir(judge!), kind === "prep" ? "prep.json" : kind === "train" ? `${what}.json` : "control.json");
};
/** Written whole or not at all, so --report-only never reads half a file. */
function writeResult(unit: Unit, value: unknown): void {
  const file = unitFile(unit);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...(value as object), timings }));
  fs.renameSync(`${file}.tmp`, file);
}
const readResult = <T,>(unit: Unit): (T & { timings: Record<string, number> }) | null => (fs.existsSync(unitFile(unit)) ? JSON.parse(fs.readFileSync(unitFile(unit), "utf8")) : null);

/** Opens the judge's own database; models get the judge's name in theirs (one RLHF_HOME holds every judge's models). */
async function useJudgeDb(judge: string): Promise<void> {
  process.env.DATABASE_URL = path.join(judgeDir(judge), "rlhf.db");
  await closeDb();
}
const modelName = (judge: string, what: string) => `${judge}-${what}`;

async function prepareJudge(judge: Judge, prompts: { train: string[]; test: string[] }): Promise<void> {
  const dir = judgeDir(judge.name);
  // A preparation starts from nothing: what a stopped one left behind (a half-made database) goes.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await useJudgeDb(judge.name);
  const t = (stage: string) => `${judge.name}: ${stage}`;
  const db = getDb();
  await createProject(db, { name: "proof", k: SIZE.k, allowTies: true }, null);
  await cli(["prompts", "import", writeJsonl(path.join(dir, "prompts.jsonl"), [
    ...prompts.train.map((p) => ({ prompt: p, split: "train" })),
    ...prompts.test.map((p) => ({ prompt: p, split: "test" })),
  ]), "--project", "proof"]);

  // 1–3. K samples per prompt from the base, ranked by the noisy judge, imported as rankings.
  const random = mulberry32(SEED + judge.name.length);
  let disagreements = 0;
  let comparable = 0;
  const testItems: Array<{ prompt: string; texts: string[] }> = [];
  await timed(t("rank + import"), async () => {
    const rows: unknown[] = [];
    for (const split of ["train", "test"] as const) {
      // The base's samples are the same for every judge (same prompts, same seed): sampled once, before the judges.
      const samplesFile = path.join(WORK, `samples-${split}.jsonl`);
      const sampled = fs.readFileSync(samplesFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { prompt: string; completions: string[] });
      for (const { prompt, completions } of sampled) {
        // Identical samples are one completion (the import dedupes by text), so keep distinct texts only.
        // An empty completion (EOS first) is not rankable text: the import would refuse the row.
        const texts = [...new Set(completions)].filter((x) => x.trim());
        if (texts.length < 2) continue;
        const scores = texts.map((x) => judge.score(x));
        if (new Set(scores).size < 2) continue; // all tied: the annotator would mark it not rankable
        const ranking = noisyRanking(scores, FLIP, random);
        const rankOf = new Map(ranking.flatMap((g, r) => g.map((c) => [c, r] as const)));
        for (let a = 0; a < texts.length; a++)
          for (let b = a + 1; b < texts.length; b++) {
            if (scores[a] === scores[b]) continue;
            comparable++;
            if (scores[a]! > scores[b]! !== rankOf.get(a)! < rankOf.get(b)!) disagreements++;
          }
        rows.push({ prompt, completions: texts, ranking });
        if (split === "test") testItems.push({ prompt, texts });
      }
    }
    await cli(["import", "rankings", writeJsonl(path.join(dir, "rankings.jsonl"), rows), "--project", "proof"]);
  });

  // RM on the rankings, then its accuracy on held-out pairs whose judge scores differ clearly.
  const rmName = modelName(judge.name, "rm");
  await timed(t("train rm"), () => cli(["train", "rm", "--base", baseDir, ...budgetArgs(dir, "reward"), "--name", rmName]));
  const evalRm = await cli(["eval", "rm", "--model", rmName]);
  const rmCheckpoint = await loadCheckpoint(await registeredDir(rmName));
  let correct = 0;
  let clear = 0;
  let correctAll = 0;
  let all = 0;
  for (const item of testItems) {
    const rmScores = scoreTexts(rmCheckpoint.model, rmCheckpoint.head!, item.texts.map((r) => ({ prompt: item.prompt, response: r })), (p, r) => buildExample(tok, p, r), tok.padId);
    const js = item.texts.map((x) => judge.score(x));
    for (let a = 0; a < js.length; a++)
      for (let b = a + 1; b < js.length; b++) {
        if (js[a] === js[b]) continue;
        const right = js[a]! > js[b]! === rmScores[a]! > rmScores[b]!;
        all++;
        correctAll += right ? 1 : 0;
        if (Math.abs(js[a]! - js[b]!) >= judge.clearMargin) {
          clear++;
          correct += right ? 1 : 0;
        }
      }
  }
  rmCheckpoint.model.dispose();
  rmCheckpoint.head?.dispose();
  const base = await timed(t("evaluate base"), () => evaluatePolicy(null, judge, prompts.test));
  const prep: Prep = {
    labelNoise: comparable ? disagreements / comparable : 0,
    rm: { accuracyClear: clear ? correct / clear : 0, clearPairs: clear, accuracyAll: all ? correctAll / all : 0, evalRm },
    base,
  };
  await closeDb();
  writeResult(`prep:${judge.name}`, prep);
}

/** One trainer (library defaults) or one PPO control from the base on the judge's RM, then the held-out evaluation. */
async function trainAndEvaluate(judge: Judge, kind: Trainer | "control", prompts: { train: string[]; test: string[] }, controlName?: string): Promise<void> {
  const dir = judgeDir(judge.name);
  await useJudgeDb(judge.name);
  const t = (stage: string) => `${judge.name}: ${stage}`;
  const reward = ["--reward", modelName(judge.name, "rm")];
  if (kind === "control") {
    const c = CONTROLS[controlName!]!;
    const name = modelName(judge.name, controlName!);
    await timed(t(`control ${controlName}`), () => cli(["train", "ppo", "--base", baseDir, ...reward, "--config", writeJson(path.join(dir, `${controlName}.json`), { ...BUDGET.ppo, ...c.config }), "--name", name]));
    const evaluated = await timed(t(`evaluate ${controlName}`), async () => evaluatePolicy(await registeredDir(name), judge, prompts.test));
    await closeDb();
    writeResult(`control:${judge.name}:${controlName}`, { name: controlName, label: c.label, eval: evaluated });
    return;
  }
  const name = modelName(judge.name, kind);
  const out = await timed(t(`train ${kind}`), () => cli(["train", kind, "--base", baseDir, ...(kind === "dpo" ? [] : reward), ...budgetArgs(dir, kind), "--name", name]));
  const evaluated = await timed(t(`evaluate ${kind}`), async () => evaluatePolicy(await registeredDir(name), judge, prompts.test));
  await closeDb();
  writeResult(`train:${judge.name}:${kind}`, { ...evaluated, trainKl: typeof out.kl === "number" ? out.kl : null });
}

/** Runs one unit; its result file carries its own stage timings only (--serial keeps the base's timings around it). */
async function runUnit(unit: Unit, prompts: { train: string[]; test: string[] }): Promise<void> {
  const outer = { ...timings };
  for (const k of Object.keys(timings)) delete timings[k];
  const [kind, name, what] = unit.split(":");
  const judge = JUDGES[name!]!;
  try {
    if (kind === "prep") await prepareJudge(judge, prompts);
    else if (kind === "train") await trainAndEvaluate(judge, what as Trainer, prompts);
    else await trainAndEvaluate(judge, "control", prompts, what);
  } finally {
    for (const k of Object.keys(timings)) delete timings[k];
    Object.assign(timings, outer);
  }
}

/** The judge's report from its units' files, or null before its preparation is done. */
function judgeReport(name: string): JudgeReport | null {
  const prep = readResult<Prep>(`prep:${name}`);
  if (!prep) return null;
  Object.assign(timings, prep.timings);
  const trained: JudgeReport["trained"] = {};
  for (const kind of TRAINERS) {
    const r = readResult<PolicyEval & { trainKl: number | null }>(`train:${name}:${kind}`);
    if (r) {
      Object.assign(timings, r.timings);
      trained[kind] = r;
    }
  }
  const control = readResult<{ name: string; label: string; eval: PolicyEval }>(`control:${name}:${controlFor(judgeNames.indexOf(name)) ?? ""}`);
  if (control) Object.assign(timings, control.timings);
  return { judge: JUDGES[name]!, labelNoise: prep.labelNoise, rm: prep.rm, base: prep.base, trained, control: control ? { name: control.name, label: control.label, eval: control.eval } : null };
}

// ---------------------------------------------------------------------------------------------------------------
// Run and report.

/**
 * Samples K completions per prompt from the base with `rlhf sample`, as an admin would to make ranking data, once for
 * the whole suite (every judge ranks the same samples), and the base's held-out evaluation samples.
 */
async function sampleBaseOnce(): Promise<void> {
  if (fs.existsSync(path.join(WORK, "samples-test.jsonl"))) return;
  const dir = path.join(WORK, "base-samples");
  fs.mkdirSync(dir, { recursive: true });
  process.env.DATABASE_URL = path.join(dir, "rlhf.db");
  await closeDb();
  await createProject(getDb(), { name: "proof", k: SIZE.k, allowTies: true }, null);
  await cli(["prompts", "import", writeJsonl(path.join(dir, "prompts.jsonl"), [
    ...prompts.train.map((p) => ({ prompt: p, split: "train" })),
    ...prompts.test.map((p) => ({ prompt: p, split: "test" })),
  ]), "--project", "proof"]);
  await timed("base: sample K=4", async () => {
    for (const split of ["train", "test"] as const)
      await cli(["sample", "--model", baseDir, "--split", split, "--project", "proof", "--k", String(SIZE.k), "--max-new-tokens", String(RESPONSE_LENGTH), "--seed", split === "train" ? "1" : "2", "--out", path.join(WORK, `samples-${split}.jsonl`)]);
  });
  await timed("base: evaluation samples", async () => {
    fs.writeFileSync(path.join(WORK, "base-eval.json"), JSON.stringify(await samplePolicy(base.model, prompts.test, SIZE.evalSamplesPerPrompt, 777)));
  });
  await closeDb();
}

const started = Date.now();
const judgeNames = (flag("judges") ?? Object.keys(JUDGES).join(",")).split(",");
const JOBS = Math.max(1, Number(flag("jobs") ?? 2));
const controlFor = (i: number): string | null => (i === 0 ? "zero-reward" : i === 1 ? "large-beta" : null);
for (const name of judgeNames) if (!JUDGES[name]) throw new Error(`unknown judge '${name}' (known: ${Object.keys(JUDGES).join(", ")})`);
const prompts = makePrompts();

if (WORKER) {
  // A worker process: runs the units the parent sends, one at a time, and says when each is done.
  const send = (msg: unknown) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));
  process.on("message", (unit: Unit) => {
    if (unit === "exit") process.exit(0);
    runUnit(unit, prompts).then(
      () => send({ done: unit }),
      (err: Error) => {
        process.stderr.write(`[proof] ${unit} failed: ${err.stack ?? err.message}\n`);
        process.exit(1);
      },
    );
  });
  await send({ ready: true });
  await new Promise(() => {}); // the parent ends this process
}

/**
 * Every unit of the suite in the order a free worker takes them: the preparations first (each unlocks its judge's
 * trainers), then the longest units (PPO, the controls) before the shortest, so the two workers end close together.
 */
function suiteUnits(): Unit[] {
  const units: Unit[] = judgeNames.map((name) => `prep:${name}`);
  const order: (Trainer | "control")[] = ["ppo", "control", "rloo", "grpo", "dpo"];
  for (const kind of order)
    for (const [i, name] of judgeNames.entries()) {
      if (kind === "control") {
        if (controlFor(i) && RUN_TRAINERS.includes("ppo")) units.push(`control:${name}:${controlFor(i)}`);
      } else if (RUN_TRAINERS.includes(kind)) units.push(`train:${name}:${kind}`);
    }
  return units;
}

/** Runs the units in JOBS worker processes, each taking the next unit whose judge is prepared when it is free. */
async function runChildren(): Promise<void> {
  const script = path.resolve("tests/bench/proof.ts");
  const runner = path.resolve("trainer/bin/run-ts.mjs");
  const waiting = suiteUnits().filter((u) => !fs.existsSync(unitFile(u)));
  const done = new Set(suiteUnits().filter((u) => fs.existsSync(unitFile(u))));
  const idle: import("node:child_process").ChildProcess[] = [];
  /** Hands each idle worker the first waiting unit it may run (a trainer needs its judge's preparation done). */
  const dispatch = () => {
    while (idle.length > 0) {
      const at = waiting.findIndex((u) => u.startsWith("prep:") || done.has(`prep:${u.split(":")[1]}`));
      if (at < 0) break;
      const unit = waiting.splice(at, 1)[0]!;
      idle.shift()!.send(unit);
    }
    if (waiting.length === 0) while (idle.length > 0) idle.shift()!.send("exit");
  };
  await Promise.all(
    Array.from({ length: Math.min(JOBS, waiting.length) }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const args = [runner, script, "--worker", String(w), "--work", WORK, "--base", baseDir, ...(QUICK ? ["--quick"] : []), ...(flag("trainers") ? ["--trainers", flag("trainers")!] : []), ...(flag("judges") ? ["--judges", flag("judges")!] : [])];
        // The cores are split between the worker processes: each trainer runs cores / jobs data-parallel threads.
        const threads = process.env.RLHF_WORKERS ?? String(Math.max(1, Math.floor(os.availableParallelism() / JOBS)));
        const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "pipe", "ipc"], env: { ...process.env, RLHF_WORKERS: threads } });
        // Worker stderr is prefixed with its number; progress-bar redraws are dropped to keep logs readable.
        child.stderr!.on("data", (d: Buffer) => {
          for (const line of d.toString().split(/[\r\n]+/)) if (line.trim() && !line.includes("\x1b")) process.stderr.write(`[w${w}] ${line}\n`);
        });
        child.on("message", (msg: { ready?: true; done?: Unit }) => {
          if (msg.done) done.add(msg.done);
          idle.push(child);
          dispatch();
        });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`proof worker ${w} exited with code ${code}`))));
      }),
    ),
  );
}

const REPORT_ONLY = argv.includes("--report-only");
if (!REPORT_ONLY) {
  await sampleBaseOnce();
  if (argv.includes("--serial")) for (const unit of suiteUnits()) await runUnit(unit, prompts);
  else await runChildren();
}
const reports = judgeNames.map(judgeReport).filter((r): r is JudgeReport => r !== null);
// With --report-only, from the run's own files: its first (the prompts) to its last finished unit.
const finishedAt = suiteUnits().filter((u) => fs.existsSync(unitFile(u))).map((u) => fs.statSync(unitFile(u)).mtimeMs);
const totalS = REPORT_ONLY ? (Math.max(...finishedAt) - fs.statSync(path.join(WORK, "base-samples", "prompts.jsonl")).mtimeMs) / 1000 : (Date.now() - started) / 1000;

/** The targets of issue 10: RM accuracy on clear pairs, and the judge gain per trainer at ≤ 6 nats held-out KL. */
const TARGET = { rmClear: 0.85, gain: { ppo: 1, grpo: 1, rloo: 1, dpo: 0.7 } as Record<Trainer, number>, kl: 6 };
const f = (x: number, d = 2) => x.toFixed(d);
const ms = (e: PolicyEval) => `${f(e.mean)} ± ${f(e.std)}`;
const mark = (ok: boolean) => (ok ? "" : " ✗");
const lines: string[] = [];
lines.push(`### RLHF proof (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length}-core CPU, tfjs ${(await import("../../trainer/backend/index")).activeBackend()}, library defaults)`);
lines.push("");
lines.push(
  `Base: \`${path.relative(process.cwd(), baseDir) || baseDir}\` (${base.model.numParams().toLocaleString("en-US")} params, tokenizer ${base.tokenizer}). ${SIZE.trainPrompts} train / ${SIZE.testPrompts} test prompts, K = ${SIZE.k}, ${FLIP * 100}% of judge comparisons flipped, responses ≤ ${RESPONSE_LENGTH} tokens, ${SIZE.evalSamplesPerPrompt} eval samples per test prompt, seed ${SEED}. Ceiling: the judge's best score above the base's mean, in base std (the most a trainer could gain). Each cell: gain in base standard deviations (held-out KL in nats); ✗ marks a missed target (RM ≥ ${TARGET.rmClear}; PPO, GRPO, RLOO ≥ 1 and DPO ≥ 0.7 std at ≤ ${TARGET.kl} nats).`,
);
lines.push("");
lines.push("| judge | label noise | RM acc. clear pairs (all) | base | ceiling | PPO | GRPO | RLOO | DPO | control: gain (KL), noise |");
lines.push("|---|---|---|---|---|---|---|---|---|---|");
for (const r of reports) {
  const cell = (kind: Trainer) => {
    const e = r.trained[kind];
    if (!e) return "–";
    const gain = (e.mean - r.base.mean) / (r.base.std || 1);
    return `${f(gain)} (${f(e.kl, 1)})${mark(gain >= TARGET.gain[kind] && e.kl <= TARGET.kl)}`;
  };
  const n = prompts.test.length * SIZE.evalSamplesPerPrompt;
  const control = r.control
    ? `${r.control.label}: ${f((r.control.eval.mean - r.base.mean) / (r.base.std || 1))} (${f(r.control.eval.kl, 1)}), ±${f((2 * r.base.std) / Math.sqrt(n) / (r.base.std || 1))}`
    : "";
  // The most any trainer could gain on this judge, in base std (a capped score has a ceiling).
  const ceiling = r.judge.best === undefined ? "–" : f((r.judge.best - r.base.mean) / (r.base.std || 1));
  lines.push(
    `| ${r.judge.name}: ${r.judge.prefers} | ${f(r.labelNoise)} | ${f(r.rm.accuracyClear)}${mark(r.rm.accuracyClear >= TARGET.rmClear)} (${r.rm.clearPairs} pairs, Δ ≥ ${r.judge.clearMargin}) (${f(r.rm.accuracyAll)}) | ${ms(r.base)} | ${ceiling} | ${TRAINERS.map(cell).join(" | ")} | ${control} |`,
  );
}
lines.push("");
const stageTotals: Record<string, number> = {};
for (const [k, v] of Object.entries(timings)) {
  const stage = k.split(": ").slice(1).join(": ");
  stageTotals[stage] = (stageTotals[stage] ?? 0) + v;
}
lines.push(`Wall time per stage, summed over judges (s): ` + Object.entries(stageTotals).map(([k, v]) => `${k} ${f(v, 0)}`).join("; ") + `; **total ${f(totalS / 60, 1)} min** with ${Math.min(JOBS, suiteUnits().length)} workers.`);
const markdown = lines.join("\n");
console.log(JSON.stringify({ reports: reports.map((r) => ({ ...r, judge: r.judge.name })), timings, total_s: totalS }, null, 1));
console.log("\n" + markdown);
fs.writeFileSync(path.join(WORK, "report.md"), markdown + "\n");
process.stderr.write(`[proof] work folder: ${WORK}\n`);
