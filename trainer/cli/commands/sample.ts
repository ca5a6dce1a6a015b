// `rlhf sample`: one or several policies (ours or endpoints) share each prompt's K; the completions go to a file
// and/or into the project with their ranking tasks. It creates a `sample` run, the same as the web form, and runs it
// here (or leaves it to a worker with --queue), so the CLI and the browser sample the same way.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SampleConfig } from "../../../server/services/run-kinds/sample-config";
import { startRun } from "../../runs/start";
import { UsageError } from "../args";
import { readJsonlFile } from "../files";
import { projectByName, registryDb } from "../shared";
import type { Command, Handler } from "../types";

const sample: Handler = async (args, io) => {
  const policies = args.string("model", { required: true });
  const promptsFile = args.string("prompts");
  const split = args.string("split");
  const tag = args.string("tag");
  const unranked = args.bool("unranked");
  const projectName = args.string("project");
  const k = args.int("k", { default: 4, min: 1, max: 16 });
  const out = args.string("out");
  const tasks = args.bool("tasks");
  const queue = args.bool("queue");
  const config: Partial<SampleConfig> = {
    policies,
    k,
    seed: args.int("seed", { default: 0, min: 0 }),
    temperature: args.number("temperature", { default: 1, min: 0 })!,
    top_k: args.int("top-k", { default: 0, min: 0 }),
    top_p: args.number("top-p", { default: 1, min: 0, max: 1 })!,
    max_new_tokens: args.int("max-new-tokens", { default: 128, min: 1 }),
    concurrency: args.int("concurrency", { default: 8, min: 1, max: 64 }),
    batch_size: args.int("batch-size", { default: 32, min: 1, max: 4096 }),
    max_prompts: args.int("max-prompts", { default: 0, min: 0 }),
    open_tasks: tasks,
  };
  args.assertAllUsed();
  const sources = [promptsFile, split, tag, unranked || undefined].filter((x) => x !== undefined);
  if (sources.length !== 1) throw new UsageError("give exactly one of --prompts FILE.jsonl, --split train|test, --tag T or --unranked");
  if (split && split !== "train" && split !== "test") throw new UsageError(`--split must be train or test (got '${split}')`);
  if (tasks && k < 2) throw new UsageError(`--tasks opens ranking tasks, which need --k between 2 and 16 (got ${k})`);
  if (!tasks && !out && !io.json) throw new UsageError("nothing to do with the samples: pass --out FILE.jsonl, --tasks, or --json");
  if (!projectName && (tasks || !promptsFile)) throw new UsageError("--project NAME is needed: the project whose prompts are sampled and where the ranking tasks open");
  if (queue && !tasks) throw new UsageError("--queue leaves the run to a worker, so it needs --tasks (the samples are stored, not printed)");
  if (promptsFile) {
    // Checked here, so a bad line is a usage error with its line number before any run exists.
    const lines = readJsonlFile(promptsFile, "--prompts");
    if (lines.length === 0) throw new UsageError(`--prompts ${promptsFile} holds no prompts`);
    lines.forEach(({ line, value }) => {
      if (typeof value.prompt !== "string" || !value.prompt.trim()) throw new UsageError(`${promptsFile}:${line}: no "prompt" string`);
    });
  }
  const db = await registryDb();
  if (projectName) config.project = (await projectByName(db, projectName)).name;
  config.prompt_set = split ? (split as "train" | "test") : tag ? "tag" : "unranked";
  if (tag) config.tag = tag;

  // --json without --out or --tasks still prints the samples: they go through a scratch file the run writes.
  const scratch = !out && !tasks && io.json ? fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-sample-")) : null;
  const outFile = out ?? (scratch ? path.join(scratch, "samples.jsonl") : undefined);
  try {
    const { run, result } = await startRun(
      db,
      { kind: "sample", config, reserved: { ...(promptsFile ? { promptsFile } : {}), ...(outFile ? { outFile } : {}) }, queue },
      { echo: io.log, progressBar: true },
    );
    const metrics = result?.metrics ?? {};
    const json: Record<string, unknown> = {
      run_id: run.id,
      status: result?.run.status ?? run.status,
      queued: !result,
      models: policies.split(",").map((s) => s.trim()).filter(Boolean),
      project: config.project ?? null,
      k,
      prompts: metrics.prompts ?? null,
      completions: metrics.completions ?? null,
      stored: metrics.stored ?? 0,
      tasks_opened: metrics.tasks_opened ?? 0,
      completions_per_s: metrics.completions_per_s ?? null,
      out: out ? path.resolve(out) : null,
    };
    if (io.json && outFile && fs.existsSync(outFile))
      json.samples = fs.readFileSync(outFile, "utf8").trim().split("\n").filter(Boolean).slice(0, 1000).map((l) => JSON.parse(l) as unknown);
    if (!result) return { json, text: `queued sample run ${run.id}; 'rlhf worker' will run it` };
    const text = `sampled ${String(metrics.completions)} completions for ${String(metrics.prompts)} prompts from ${json.models && (json.models as string[]).join(", ")}` +
      (out ? `; wrote ${out}` : "") + (tasks ? `; stored ${String(metrics.stored)} completions and opened ${String(metrics.tasks_opened)} ranking tasks` : "");
    return { json, text };
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
};

export const commands: Command[] = [
  {
    name: "sample",
    usage: "rlhf sample --model A[,B,...] --project P (--prompts FILE|--split S|--unranked) --k K [--tasks] [--out FILE]",
    help: [
      "Several models share each prompt's K (split evenly), so a ranking compares them blind. --tag T samples prompts with a tag.",
      "sampling flags: --temperature (1) --top-p (1) --top-k (0, our models) --max-new-tokens (128) --seed (0)",
      "--concurrency (8) endpoint requests in flight; --batch-size (32) prompts stored per transaction; --max-prompts N caps the prompts; --queue leaves the run to 'rlhf worker'",
    ].join("\n"),
    run: sample,
  },
];
