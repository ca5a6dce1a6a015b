// The `rlhf` commands for the model registry and runs: `models list|import-hf`, `sample`, `train sft`,
// `runs list|show|cancel` and `worker`. Flags are read and checked here; the work lives in trainer/runs and services.
import fs from "node:fs";
import path from "node:path";
import { getDb, type Db } from "../../db/index";
import { dataHome } from "../../db/paths";
import { completions as completionsTable, type RunStatus, RUN_STATUSES } from "../../db/schema";
import { ServiceError } from "../../server/services/errors";
import { assertModelName, findModel, listModels, registerModel } from "../../server/services/models";
import { findProjectByName, listProjects } from "../../server/services/projects";
import { insertPromptIfNew, promptsInSplit } from "../../server/services/prompts";
import { cancelRun, getRun, listRuns, runLogLines, runMetricSeries, type RunRow } from "../../server/services/runs";
import { openRankTask } from "../../server/services/task-queue";
import { ensureBuiltinModel } from "../builtin/index";
import { startRun } from "../runs/start";
import { CliError, UsageError, type Args } from "./args";
import { ProgressBar } from "./progress";
import { checkCheckpointDir, resolveModelInput } from "./resolve";
import type { CommandIO, Handler } from "./types";

/** The database, with the shipped base model registered (a no-op after the first time): `--base base` just works. */
function registryDb(): Db {
  const db = getDb();
  ensureBuiltinModel(db);
  return db;
}

/** Turns a service's user-facing error into a one-line CLI error. */
function service<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ServiceError) throw new CliError(err.message);
    throw err;
  }
}

function readJsonFile(file: string, flag: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${flag} ${file} is not valid JSON (${(err as Error).message})`);
  }
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

// ---------------------------------------------------------------------------------------------------------------
// models

const modelsList: Handler = async (args) => {
  args.assertAllUsed();
  const db = registryDb();
  const rows = listModels(db);
  const byId = new Map(rows.map((m) => [m.id, m.name]));
  const models = rows.map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    parent: m.parentId ? (byId.get(m.parentId) ?? m.parentId) : null,
    run_id: m.runId,
    tokenizer: m.tokenizer,
    path: m.path,
    created_at: iso(m.createdAt),
  }));
  const text = models.length
    ? [["NAME", "KIND", "PARENT", "TOKENIZER", "ID"], ...models.map((m) => [m.name, m.kind, m.parent ?? "-", m.tokenizer, m.id])]
        .map((cols, _i, all) => cols.map((c, j) => c.padEnd(Math.max(...all.map((r) => r[j]!.length)) + 2)).join("").trimEnd())
        .join("\n")
    : "no models registered (the built-in 'base' is registered at first start; 'rlhf models import-hf DIR --name N' adds one)";
  return { json: { models }, text };
};

const modelsImportHf: Handler = async (args, io) => {
  const dir = path.resolve(args.positional(0, "DIR (an HF GPT-2 checkpoint directory)"));
  const name = args.string("name", { required: true });
  args.assertAllUsed();
  const db = getDb();
  service(() => assertModelName(name));
  if (findModel(db, name)) throw new CliError(`a model named '${name}' already exists; pick another --name`);
  checkCheckpointDir(dir, name);
  // Loading proves the tensors match the config (names, shapes, dtypes) before anything is copied or registered.
  const { loadCheckpoint } = await import("../checkpoint/index");
  const loaded = await (async () => {
    try {
      return await loadCheckpoint(dir);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  })();
  const summary = { ...loaded.config, n_params: loaded.model.numParams(), imported_from: dir, head: loaded.headKind };
  const tokenizer = loaded.tokenizer;
  const kind = loaded.headKind === "reward" ? "reward" : "policy";
  loaded.model.dispose();
  loaded.head?.dispose();
  for (const t of loaded.extraTensors.values()) t.dispose();

  const rel = path.join("models", name);
  const target = path.join(dataHome(), rel);
  if (fs.existsSync(target)) throw new CliError(`${target} already exists; remove it or pick another --name`);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    // Only what a checkpoint is made of: weights, configs and optional tokenizer files (not other large files).
    for (const f of fs.readdirSync(dir)) {
      if (/^(config\.json|model\.safetensors|optimizer\.safetensors|generation_config\.json|tokenizer.*|vocab\.json|merges\.txt|special_tokens_map\.json)$/.test(f))
        fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    const model = service(() => registerModel(db, { name, kind, path: rel, tokenizer, config: summary }));
    io.log(`copied ${dir} to ${target}`);
    return {
      json: { model: model.name, model_id: model.id, kind, tokenizer, path: target, n_params: summary.n_params },
      text: `registered ${kind} model '${model.name}' (${summary.n_params} parameters, tokenizer ${tokenizer}) from ${dir}`,
    };
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    throw err;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// sample

interface PromptToSample {
  text: string;
  /** Database prompt (with --split, or once stored for --tasks). */
  promptId?: string;
  projectId?: string;
}

function projectByName(db: Db, name: string): { id: string; name: string } {
  const project = findProjectByName(db, name);
  if (project) return project;
  const names = listProjects(db).map((p) => `'${p.name}'`);
  throw new CliError(`no project named '${name}'${names.length ? ` (projects: ${names.join(", ")})` : " (there are no projects yet)"}`);
}

function promptsFromFile(file: string): PromptToSample[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read --prompts ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  const out: PromptToSample[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new CliError(`--prompts ${file} line ${i + 1} is not valid JSON`);
    }
    const prompt = (row as { prompt?: unknown }).prompt;
    if (typeof prompt !== "string" || !prompt.trim()) throw new CliError(`--prompts ${file} line ${i + 1} has no "prompt" string`);
    out.push({ text: prompt });
  });
  if (out.length === 0) throw new CliError(`--prompts ${file} holds no prompts`);
  return out;
}

function promptsFromSplit(db: Db, split: "train" | "test", projectId: string | undefined): PromptToSample[] {
  return promptsInSplit(db, split, projectId).map((p) => ({ text: p.text, promptId: p.id, projectId: p.projectId }));
}

const sample: Handler = async (args, io) => {
  const modelValue = args.string("model", { required: true });
  const promptsFile = args.string("prompts");
  const split = args.string("split");
  const projectName = args.string("project");
  const k = args.int("k", { default: 4, min: 1, max: 64 });
  const out = args.string("out");
  const tasks = args.bool("tasks");
  const params = {
    k,
    seed: args.int("seed", { default: 0, min: 0 }),
    temperature: args.number("temperature", { default: 1, min: 0 })!,
    topK: args.int("top-k", { default: 0, min: 0 }),
    topP: args.number("top-p", { default: 1, min: 0, max: 1 })!,
    maxNewTokens: args.int("max-new-tokens", { default: 128, min: 1 }),
  };
  args.assertAllUsed();
  if (!promptsFile === !split) throw new UsageError("give exactly one of --prompts FILE.jsonl or --split train|test");
  if (split && split !== "train" && split !== "test") throw new UsageError(`--split must be train or test (got '${split}')`);
  if (tasks && (k < 2 || k > 16)) throw new UsageError(`--tasks opens ranking tasks, which need --k between 2 and 16 (got ${k})`);
  if (!tasks && !out && !io.json) throw new UsageError("nothing to do with the samples: pass --out FILE.jsonl, --tasks, or --json");

  const db = registryDb();
  const model = resolveModelInput(db, modelValue, { flag: "--model", kind: "policy" });
  const project = projectName ? projectByName(db, projectName) : undefined;
  const prompts = split ? promptsFromSplit(db, split as "train" | "test", project?.id) : promptsFromFile(promptsFile!);
  if (prompts.length === 0) throw new CliError(`no prompts in the ${split} split${project ? ` of project '${project.name}'` : ""}`);
  if (tasks && !split && !project) throw new UsageError("--tasks with --prompts FILE needs --project NAME (where the ranking tasks open)");

  const [{ initBackend }, { loadCheckpoint }, { getTokenizer }, { samplePrompt, storedSamplingParams }] = await Promise.all([
    import("../backend/index"),
    import("../checkpoint/index"),
    import("../tokenizer/index"),
    import("../runs/sample"),
  ]);
  await initBackend();
  let loaded: Awaited<ReturnType<typeof loadCheckpoint>>;
  try {
    loaded = await loadCheckpoint(model.dir);
  } catch (err) {
    throw new CliError(`--model ${modelValue}: ${(err as Error).message}`);
  }
  const tok = getTokenizer(loaded.tokenizer);
  const outStream = out ? fs.openSync(out, "w") : null;
  const bar = new ProgressBar({ total: prompts.length, label: "sample", unit: "prompt", quiet: false });
  let tasksOpened = 0;
  let stored = 0;
  const results: { prompt: string; completions: string[] }[] = [];
  try {
    for (const [i, p] of prompts.entries()) {
      const { completions, maxNewTokens } = await samplePrompt(loaded.model, tok, p.text, i, params);
      const texts = completions.map((c) => c.text);
      if (outStream !== null) fs.writeSync(outStream, JSON.stringify({ prompt: p.text, completions: texts }) + "\n");
      if (io.json && results.length < 1000) results.push({ prompt: p.text, completions: texts });
      if (tasks) {
        // One transaction per prompt: its completions and its ranking task appear together or not at all.
        const opened = service(() =>
          db.transaction((tx) => {
            const projectId = p.projectId ?? project!.id;
            const promptId = p.promptId ?? insertPromptIfNew(tx, projectId, { prompt: p.text, source: "sample" }).id;
            const ids = completions.map(
              (c) =>
                tx
                  .insert(completionsTable)
                  .values({
                    promptId,
                    text: c.text,
                    origin: "model",
                    modelId: model.row?.id ?? null,
                    samplingParams: { ...storedSamplingParams(params, maxNewTokens), model: model.label, finished: c.finished },
                    logprobSum: c.logprobSum,
                  })
                  .returning({ id: completionsTable.id })
                  .get().id,
            );
            return openRankTask(tx, { projectId, promptId, completionIds: ids });
          }),
        );
        stored += completions.length;
        if (opened.created) tasksOpened++;
      }
      bar.update(i + 1);
    }
  } finally {
    bar.done();
    if (outStream !== null) fs.closeSync(outStream);
    loaded.model.dispose();
    loaded.head?.dispose();
  }
  const json: Record<string, unknown> = {
    model: model.label,
    prompts: prompts.length,
    k,
    completions: prompts.length * k,
    stored,
    tasks_opened: tasksOpened,
    out: out ? path.resolve(out) : null,
  };
  if (io.json) json.samples = results;
  const text = `sampled ${prompts.length * k} completions for ${prompts.length} prompts from '${model.label}'` +
    (out ? `; wrote ${out}` : "") + (tasks ? `; stored ${stored} completions and opened ${tasksOpened} ranking tasks` : "");
  return { json, text };
};

// ---------------------------------------------------------------------------------------------------------------
// train sft

const trainSft: Handler = async (args, io) => {
  const base = args.string("base", { required: true });
  const configFile = args.string("config");
  const name = args.string("name");
  const queue = args.bool("queue");
  args.assertAllUsed();
  const config = configFile ? readJsonFile(configFile, "--config") : {};
  const db = registryDb();
  // Ctrl-C stops at the next step: the run is failed, or re-queued when it saved a resumable checkpoint (save_steps).
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    io.log("interrupted: stopping after the current step (press again to quit at once)");
  };
  process.on("SIGINT", onSignal);
  const { run, result } = await startRun(db, { kind: "sft", base, config, name, queue }, { echo: io.log, progressBar: true, stopRequested: () => interrupted }).finally(() =>
    process.off("SIGINT", onSignal),
  );
  if (!result) {
    return {
      json: { run: run.id, run_id: run.id, status: run.status, queued: true, model: run.name },
      text: `queued sft run ${run.id} (output model '${run.name}'); 'rlhf worker' will run it`,
    };
  }
  const model = result.model!;
  return {
    json: { run: run.id, run_id: run.id, status: result.run.status, model: model.name, model_id: model.id, metrics: result.metrics },
    text: `sft run ${run.id} succeeded: model '${model.name}' (eval/loss ${fmt(result.metrics["eval/loss"])}, train/loss ${fmt(result.metrics["train/loss"])})`,
  };
};

const fmt = (v: number | null | undefined) => (typeof v === "number" ? v.toFixed(4) : "n/a");

// ---------------------------------------------------------------------------------------------------------------
// runs

function runSummary(r: RunRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    name: r.name,
    progress: r.progress,
    base_model_id: r.baseModelId,
    reward_model_id: r.rewardModelId,
    output_model_id: r.outputModelId,
    worker_id: r.workerId,
    error: r.error,
    created_at: iso(r.createdAt),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
  };
}

const runsList: Handler = async (args) => {
  const status = args.string("status");
  const limit = args.int("limit", { default: 50, min: 1, max: 1000 });
  args.assertAllUsed();
  if (status && !RUN_STATUSES.includes(status as RunStatus)) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(", ")}`);
  const rows = service(() => listRuns(getDb(), { status: status as RunStatus | undefined, limit }));
  const text = rows.length
    ? rows.map((r) => `${r.id}  ${r.kind.padEnd(6)} ${r.status.padEnd(9)} ${String(Math.round(r.progress * 100)).padStart(3)}%  ${r.name ?? ""}${r.error ? `  error: ${r.error}` : ""}`).join("\n")
    : "no runs yet ('rlhf train sft --base base' starts one)";
  return { json: { runs: rows.map(runSummary) }, text };
};

const runsShow: Handler = async (args) => {
  const id = args.positional(0, "run ID");
  args.assertAllUsed();
  const db = getDb();
  const run = service(() => getRun(db, id));
  const series = runMetricSeries(db, id);
  const latest = Object.fromEntries(Object.entries(series).map(([name, points]) => [name, points[points.length - 1]!.value]));
  const logs = runLogLines(db, id, 0, 1000).slice(-20).map((l) => `${iso(l.at)} ${l.level} ${l.message}`);
  const outputModel = run.outputModelId ? listModels(db).find((m) => m.id === run.outputModelId)?.name ?? null : null;
  const json = { run: { ...runSummary(run), config: run.config, output_model: outputModel }, metrics: latest, steps: Math.max(0, ...Object.values(series).map((p) => p[p.length - 1]!.step)), logs };
  const text = [
    `run ${run.id}: ${run.kind} ${run.status} (${Math.round(run.progress * 100)}%)${run.error ? ` — ${run.error}` : ""}`,
    `output model: ${outputModel ?? run.name ?? "-"}`,
    `config: ${JSON.stringify(run.config)}`,
    `latest metrics: ${Object.entries(latest).map(([k, v]) => `${k}=${fmt(v)}`).join(" ") || "-"}`,
    ...logs.map((l) => `  ${l}`),
  ].join("\n");
  return { json, text };
};

const runsCancel: Handler = async (args) => {
  const id = args.positional(0, "run ID");
  args.assertAllUsed();
  const run = service(() => cancelRun(getDb(), id));
  return { json: { run: run.id, run_id: run.id, status: run.status }, text: `cancelled run ${run.id}` };
};

// ---------------------------------------------------------------------------------------------------------------
// worker

const worker: Handler = async (args, io) => {
  const once = args.bool("once");
  const pollMs = args.int("poll-ms", { default: 2000, min: 50 });
  args.assertAllUsed();
  const { runWorker } = await import("../worker");
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C means now
    stopping = true;
    io.log(`${sig}: stopping after the current step (press again to quit at once)`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const summary = await runWorker(registryDb(), { once, pollMs, log: io.log, progressBar: true, shouldStop: () => stopping });
    const runs = summary.results.map((r) => ({ run: r.run.id, kind: r.run.kind, status: r.run.status, model: r.model?.name ?? null, error: r.error }));
    return {
      json: { worker_id: summary.workerId, runs },
      text: runs.length ? runs.map((r) => `${r.run} ${r.kind} ${r.status}${r.model ? ` → ${r.model}` : ""}${r.error ? `: ${r.error}` : ""}`).join("\n") : "no queued runs",
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};

export const handlers: Record<string, Handler> = {
  "models list": modelsList,
  "models import-hf": modelsImportHf,
  sample,
  "train sft": trainSft,
  "runs list": runsList,
  "runs show": runsShow,
  "runs cancel": runsCancel,
  worker,
};
