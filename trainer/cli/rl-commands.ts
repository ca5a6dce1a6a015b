// The `rlhf` commands of the RL stage: `train rm|ppo|dpo` (through the run framework, in-process or --queue) and
// `eval rm` (pairwise accuracy of a reward model on the held-out split or on a rankings file).
import fs from "node:fs";
import { getDb } from "../../db/index";
import { rankedExamples, type RankedExample } from "../../server/services/datasets";
import type { RunKind } from "../../db/schema";
import { startRun } from "../runs/start";
import { resolveModelInput } from "./resolve";
import { CliError, type Args } from "./args";
import type { CommandIO, Handler } from "./types";

function readConfigFile(file: string | undefined): unknown {
  if (!file) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read --config ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`--config ${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** `rlhf train rm|ppo|dpo`: one handler shape; PPO also takes --reward. */
function trainCommand(kind: Extract<RunKind, "reward" | "ppo" | "dpo">): Handler {
  return async (args: Args, io: CommandIO) => {
    const base = args.string("base", { required: true });
    const reward = kind === "ppo" ? args.string("reward", { required: true }) : undefined;
    const configFile = args.string("config");
    const name = args.string("name");
    const queue = args.bool("queue");
    args.assertAllUsed();
    const config = readConfigFile(configFile);
    const db = getDb();
    const { run, result } = await startRun(db, { kind, base, reward, config, name, queue }, { echo: io.log, progressBar: true });
    if (!result) {
      return { json: { run_id: run.id, status: run.status, queued: true }, text: `queued ${kind} run ${run.id}; 'rlhf worker' will run it` };
    }
    const metrics = result.metrics;
    const json: Record<string, unknown> = {
      run_id: run.id,
      status: result.run.status,
      model_id: result.model?.id ?? null,
      model: result.model?.name ?? null,
      metrics,
    };
    if (kind === "ppo") Object.assign(json, { reward_mean: metrics.reward_mean ?? null, kl: metrics.kl ?? null });
    if (kind === "reward") Object.assign(json, { accuracy: metrics["eval/accuracy"] ?? null });
    if (kind === "dpo") Object.assign(json, { loss: metrics.loss ?? null, reward_margin: metrics.reward_margin ?? null, accuracy: metrics.accuracy ?? null });
    const headline = Object.entries(json)
      .filter(([k, v]) => k !== "metrics" && v !== null && typeof v !== "object")
      .map(([k, v]) => `${k}: ${typeof v === "number" ? +v.toFixed(4) : v}`)
      .join("\n");
    return { json, text: headline };
  };
}

/** Reads a rankings-format JSONL file ({"prompt","completions","ranking"} or TRL {"prompt","chosen","rejected"}). */
export function readRankingsFile(file: string): RankedExample[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read --data ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  const out: RankedExample[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new CliError(`${file}:${i + 1}: not valid JSON`);
    }
    const bad = (why: string) => new CliError(`${file}:${i + 1}: ${why} (expected {"prompt","completions","ranking"} or {"prompt","chosen","rejected"})`);
    if (typeof row.prompt !== "string") throw bad("missing \"prompt\"");
    let texts: string[];
    let groups: number[][];
    if (typeof row.chosen === "string" && typeof row.rejected === "string") {
      texts = [row.chosen, row.rejected];
      groups = [[0], [1]];
    } else if (Array.isArray(row.completions) && Array.isArray(row.ranking)) {
      texts = row.completions.map(String);
      groups = (row.ranking as unknown[]).map((g) => (Array.isArray(g) ? g.map(Number) : [Number(g)]));
      if (groups.flat().some((k) => !Number.isInteger(k) || k < 0 || k >= texts.length)) throw bad("ranking index out of range");
    } else throw bad("unknown record shape");
    const ids = texts.map((_, k) => `line${i + 1}-${k}`);
    out.push({
      rankingId: `line${i + 1}`,
      promptId: `line${i + 1}`,
      prompt: row.prompt,
      split: "test",
      completions: texts.map((t, k) => ({ id: ids[k]!, text: t })),
      ranking: groups.map((g) => g.map((k) => ids[k]!)),
      annotator: null,
      timeMs: 0,
      flags: {},
      messages: null,
      createdAt: new Date(0),
      annotators: 1,
      agreement: null,
    });
  });
  return out;
}

/** `rlhf eval rm --model M [--data FILE.jsonl]`: pairwise accuracy of a reward model. */
const evalRm: Handler = async (args, io) => {
  const model = args.string("model", { required: true });
  const dataFile = args.string("data");
  args.assertAllUsed();
  const db = getDb();
  const input = resolveModelInput(db, model, { kind: "reward" });
  const data = dataFile ? readRankingsFile(dataFile) : rankedExamples(db, { split: "test" });
  if (data.length === 0) {
    throw new CliError(dataFile ? `${dataFile} holds no rankings` : "no held-out (test split) rankings in the database; pass --data FILE.jsonl");
  }
  const { initBackend } = await import("../backend/index");
  const { loadRewardModel } = await import("../rl/models");
  const { evaluateRankings } = await import("../rl/reward");
  const { getTokenizer, buildExample } = await import("../tokenizer/index");
  io.log(`tfjs backend: ${await initBackend()}`);
  const rm = await loadRewardModel(input).catch((err: Error) => {
    throw new CliError(err.message);
  });
  try {
    const tok = getTokenizer(rm.tokenizerName);
    const result = evaluateRankings(rm.model, rm.head, data, (p, r) => buildExample(tok, p, r), tok.padId);
    if (result.pairs === 0) throw new CliError("the rankings hold no pairs (every one is a full tie)");
    return { json: { accuracy: result.accuracy, pairs: result.pairs, loss: result.loss, rankings: data.length } };
  } finally {
    rm.model.dispose();
    rm.head.dispose();
  }
};

export const handlers: Record<string, Handler> = {
  "train rm": trainCommand("reward"),
  "train ppo": trainCommand("ppo"),
  "train dpo": trainCommand("dpo"),
  "eval rm": evalRm,
};
