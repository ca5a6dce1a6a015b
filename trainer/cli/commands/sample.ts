// `rlhf sample`: K completions per prompt from a policy, for a prompt file or a split, written to a file and/or
// stored with their ranking tasks (the loop back to annotators).
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../../db/index";
import { completions as completionsTable } from "../../../db/schema";
import { resolveModelInput } from "../../../server/services/model-inputs";
import { insertPromptIfNew, promptsInSplit } from "../../../server/services/prompts";
import { openRankTask } from "../../../server/services/task-queue";
import { CliError, UsageError } from "../args";
import { readJsonlFile } from "../files";
import { ProgressBar } from "../../runs/progress";
import { projectByName, registryDb } from "../shared";
import type { Command, Handler } from "../types";

interface PromptToSample {
  text: string;
  /** Database prompt (with --split, or once stored for --tasks). */
  promptId?: string;
  projectId?: string;
}

function promptsFromFile(file: string): PromptToSample[] {
  const out = readJsonlFile(file, "--prompts").map(({ line, value }) => {
    const prompt = value.prompt;
    if (typeof prompt !== "string" || !prompt.trim()) throw new CliError(`${file}:${line}: no "prompt" string`);
    return { text: prompt };
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
    import("../../backend/index"),
    import("../../checkpoint/index"),
    import("../../tokenizer/index"),
    import("../../runs/sample"),
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
        const opened = db.transaction((tx) => {
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
                    modelName: model.row?.name ?? model.label,
                    samplingParams: { ...storedSamplingParams(params, maxNewTokens), model: model.label, finished: c.finished },
                    logprobSum: c.logprobSum,
                  })
                  .returning({ id: completionsTable.id })
                  .get().id,
            );
            return openRankTask(tx, { projectId, promptId, completionIds: ids });
          });
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

export const commands: Command[] = [
  {
    name: "sample",
    usage: "rlhf sample --model M --prompts FILE.jsonl|--split S --k K [--project P] [--out FILE.jsonl] [--tasks]",
    help: "sampling flags: --temperature (1) --top-k (0) --top-p (1) --max-new-tokens (128) --seed (0)",
    run: sample,
  },
];
