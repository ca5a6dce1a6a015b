// Creating a run, the one way: the config checked against the kind's schema, the base (and reward) model resolved
// and checked, the tokenizers matched, the dataset checked non-empty, and the output model named (never a name a
// model or an unfinished run already claims). The tRPC router, the CLI and the worker all come here, so the browser
// rejects exactly what the CLI rejects, before anything is queued.
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/index";
import { runs } from "../../db/schema";
import { writeAudit } from "./audit";
import { datasetRowCount, iterateRankedExamples, iterateSftExamples } from "./datasets";
import { pairCount } from "./pairs";
import { badRequest, conflict } from "./errors";
import { fullFinetuneProblem, gptShapeOf } from "./full-finetune-memory";
import { checkCheckpointDir, resolveModelInput, type ModelInput } from "./model-inputs";
import { assertModelName, findModel, uniqueModelName } from "./models";
import { findProjectByName, getProject } from "./projects";
import { promptsInSplit } from "./prompts";
import type { PromptSet } from "./run-kinds/sample-config";
import { promptsForSampling, resolvePolicies, splitK } from "./sampling";
import { tasksToScore } from "./selection";
import { parseRunConfig, RESERVED_CONFIG_KEY_PREFIX, runKind, type DataRequirement, type RunConfig, type RunKind } from "./run-kinds/index";
import { createRun, type RunRow } from "./runs";

/** Where a run keeps a bare checkpoint directory it was given instead of a registered model. */
export const RESERVED_CONFIG_KEYS = {
  baseDir: "_base_dir",
  rewardDir: "_reward_dir",
  /** A sample run's prompt file, from `rlhf sample --prompts FILE` (never from a web request). */
  promptsFile: "_prompts_file",
  /** Where `rlhf sample --out FILE` writes its samples. */
  outFile: "_out_file",
  /** A training run's "then send samples for labeling": the sample run queued when it succeeds. */
  followUp: "_follow_up",
} as const;

/** "Then send samples for labeling": after a training run succeeds, its output samples this project's prompts. */
export interface FollowUpSample {
  project: string;
  prompt_set?: string;
  k?: number;
  max_prompts?: number;
}

export interface RunRequest {
  kind: RunKind;
  /** Registry name or id; from the CLI also a checkpoint directory. Kinds that train need one; sample runs none. */
  base?: string;
  reward?: string;
  /** The user's config object; unknown keys and bad values are errors, unset keys take their defaults. */
  config?: unknown;
  /** Output model name; default `<base>-<kind>`, made unique. */
  name?: string;
  createdBy?: string | null;
  /** A web request may only name registered models, never a directory on the server. */
  registeredOnly?: boolean;
  /** In-process runs start `running`, claimed by this worker; without it the run is queued for a worker. */
  claim?: { workerId: string };
  /** The run framework's own keys (prompt file, out file) from the CLI; a web request never sets them. */
  reserved?: Partial<Record<"promptsFile" | "outFile", string>>;
  /** Training kinds: queue a sample run of the output model when this run succeeds. */
  followUp?: FollowUpSample;
}

export interface PreparedRun {
  kind: RunKind;
  config: Record<string, unknown>;
  base: ModelInput | null;
  reward: ModelInput | null;
  outputName: string | null;
  followUp: FollowUpSample | null;
}

/** The project a config's `project` (name or id) names; undefined for every project. */
export async function projectScope(db: Db, project: unknown): Promise<string | undefined> {
  if (typeof project !== "string" || !project) return undefined;
  const byName = await findProjectByName(db, project);
  if (byName) return byName.id;
  try {
    return (await getProject(db, project)).id;
  } catch {
    throw badRequest(`project '${project}' does not exist`);
  }
}

/** "in project 'P'" or "in the database", for the no-data sentences. */
const where = (config: Record<string, unknown>) => (config.project ? `in project '${String(config.project)}'` : "in the database");

/** Each kind of data a run can need, and the sentence a user reads when there is none. */
const DATA_CHECKS: Record<DataRequirement, (db: Db, config: Record<string, unknown>, req: RunRequest) => Promise<void>> = {
  async demonstrations(db, config) {
    const projectId = await projectScope(db, config.project);
    // Is there one? (reading them all here would hold a web request for the whole table)
    if (!(await iterateSftExamples(db, { projectId, split: "train" }).next()).done) return;
    const held = await datasetRowCount(db, { projectId, split: "test" }, "demonstrations");
    throw badRequest(
      `no demonstrations to train on${config.project ? ` in project '${String(config.project)}'` : ""}: write some in the web app or run 'rlhf import demonstrations FILE.jsonl'` +
        (held ? ` (the ${held} in the test split are kept for eval)` : ""),
    );
  },
  async rankings(db, config) {
    if ((await iterateRankedExamples(db, { projectId: await projectScope(db, config.project) }).next()).done)
      throw badRequest(`no usable rankings ${where(config)}: import rankings ('rlhf import rankings FILE.jsonl') or collect them first`);
  },
  async preference_pairs(db, config) {
    // Stops at the first ranking that gives a pair (an all-ties ranking gives none).
    for await (const ex of iterateRankedExamples(db, { projectId: await projectScope(db, config.project) })) if (pairCount(ex.ranking) > 0) return;
    throw badRequest(`no preference pairs ${where(config)}: import rankings ('rlhf import rankings FILE.jsonl') first`);
  },
  async train_prompts(db, config) {
    const projectId = await projectScope(db, config.project);
    if ((await promptsInSplit(db, "train", projectId)).length === 0)
      throw badRequest(`no train-split prompts ${where(config)}: import prompts ('rlhf prompts import FILE.jsonl') first`);
  },
  async sample_prompts(db, config, req) {
    const policies = await resolvePolicies(db, String(config.policies ?? ""), { registeredOnly: req.registeredOnly });
    splitK(Number(config.k), policies.length);
    if (config.open_tasks && Number(config.k) < 2) throw badRequest(`ranking tasks need k between 2 and 16 (got ${String(config.k)})`);
    const projectId = await projectScope(db, config.project);
    if (req.reserved?.promptsFile) {
      if (!projectId && config.open_tasks) throw badRequest("a sample run that opens ranking tasks needs a project (where the tasks open)");
      return;
    }
    if (!projectId) throw badRequest("a sample run needs a project: pick the project whose prompts are sampled and where the tasks open");
    const set = config.prompt_set as PromptSet;
    if ((await promptsForSampling(db, projectId, set, String(config.tag ?? ""), 1)).length === 0)
      throw badRequest(`no ${set === "tag" ? `prompts tagged '${String(config.tag)}'` : set === "all" ? "prompts" : `${set} prompts`} in project '${String(config.project)}' to sample`);
  },
  async open_rank_tasks(db, config) {
    const projectId = await projectScope(db, config.project);
    if (!projectId) throw badRequest(`a score run scores one project's open tasks: give it in the config, {"project": "NAME"}`);
    const project = await getProject(db, projectId);
    if (project.selection === "random")
      throw badRequest(`project '${project.name}' selects tasks at random: set its selection to uncertain or disagree first ('rlhf projects update')`);
    if ((await tasksToScore(db, projectId)).length === 0) throw badRequest(`project '${project.name}' has no open ranking tasks to score`);
  },
};

/** Checks a follow-up request now, so a typo fails with the training run, not hours later. */
async function checkFollowUp(db: Db, f: FollowUpSample, kind: RunKind): Promise<FollowUpSample> {
  if (runKind(kind).outputKind !== "policy") throw badRequest(`a ${kind} run makes no policy, so it cannot send samples for labeling`);
  if (!await projectScope(db, f.project)) throw badRequest("'then send samples for labeling' needs a project");
  // The same schema a sample run uses, with a placeholder policy (the output does not exist yet).
  const parsed = parseRunConfig("sample", { project: f.project, policies: "output", ...(f.prompt_set ? { prompt_set: f.prompt_set } : {}), ...(f.k ? { k: f.k } : {}), ...(f.max_prompts ? { max_prompts: f.max_prompts } : {}) });
  return { project: f.project, prompt_set: parsed.prompt_set, k: parsed.k, max_prompts: parsed.max_prompts };
}

/** True when a registered model, or a run that is still to finish, already claims this output name. */
async function outputNameTaken(db: Db, name: string): Promise<boolean> {
  if (await findModel(db, name)) return true;
  return !!(await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.name, name), inArray(runs.status, ["queued", "running"]))))[0];
}

/** The output model name: the one asked for (checked), or `<base>-<kind>` made unique. */
async function outputModelName(db: Db, wanted: string | undefined, base: ModelInput, kind: RunKind): Promise<string> {
  if (wanted) {
    assertModelName(wanted);
    if (await outputNameTaken(db, wanted)) throw conflict(`a model or an unfinished run already uses the name '${wanted}'; pick another name`);
    return wanted;
  }
  const stem = (base.row?.name ?? path.basename(base.dir)).replace(/[^A-Za-z0-9._-]/g, "-");
  let name = await uniqueModelName(db, `${stem}-${kind}`);
  for (let i = 2; await outputNameTaken(db, name); i++) name = await uniqueModelName(db, `${stem}-${kind}-${i}`);
  return name;
}

/** Every check a run must pass, with nothing written: a failure here leaves no run and no model behind. */
export async function prepareRun(db: Db, req: RunRequest): Promise<PreparedRun> {
  const kind = runKind(req.kind);
  const raw = req.config ?? {};
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const reserved = Object.keys(raw).find((k) => k.startsWith(RESERVED_CONFIG_KEY_PREFIX));
    if (reserved) throw badRequest(`${req.kind} config: key '${reserved}' is reserved; remove it`);
  }
  const config = parseRunConfig(req.kind, raw) as Record<string, unknown>;
  const lookup = { registeredOnly: req.registeredOnly ?? false };
  let base: ModelInput | null = null;
  if (kind.trains) {
    if (!req.base) throw badRequest(`a ${req.kind} run needs a base model: pick one`);
    base = await resolveModelInput(db, req.base, { ...lookup, flag: "base model", kind: "policy" });
  } else if (req.base) {
    throw badRequest(`a ${req.kind} run takes no base model; name its policies in 'policies'`);
  }
  let reward: ModelInput | null = null;
  if (kind.needsReward && base) {
    if (!req.reward) throw badRequest(`a ${req.kind} run needs a reward model: pick one, or train one with a reward run first`);
    reward = await resolveModelInput(db, req.reward, { ...lookup, flag: "reward model", kind: "reward" });
    if (reward.tokenizer !== base.tokenizer)
      throw badRequest(`the policy '${base.label}' uses the '${base.tokenizer}' tokenizer but the reward model '${reward.label}' uses '${reward.tokenizer}': they must match`);
  } else if (req.reward) {
    throw badRequest(`a ${req.kind} run takes no reward model`);
  }
  if (reward && base && config.use_peft !== true) {
    // Online RL holds policy, reference and RM at once: a full fine-tune that cannot fit is refused here, run-less.
    const [policyShape, rmShape] = [gptShapeOf(checkCheckpointDir(base.dir, base.label).config), gptShapeOf(checkCheckpointDir(reward.dir, reward.label).config)];
    const problem = policyShape && rmShape ? fullFinetuneProblem(req.kind, policyShape, rmShape, config.value_model === "rm_critic") : null;
    if (problem) throw badRequest(problem);
  }
  await DATA_CHECKS[kind.data](db, config, req);
  const outputName = kind.outputKind && base ? await outputModelName(db, req.name?.trim() || undefined, base, req.kind) : null;
  const followUp = req.followUp ? await checkFollowUp(db, req.followUp, req.kind) : null;
  return { kind: req.kind, config, base, reward, outputName, followUp };
}

/**
 * Checks a run request and creates the run row, queued (or claimed by `req.claim`), in one transaction with its
 * audit entry. The stored config is the parsed one, defaults included, so a run repeats even if defaults change.
 */
export async function createRunFromRequest(db: Db, req: RunRequest): Promise<RunRow> {
  const prepared = await prepareRun(db, req);
  const stored: Record<string, unknown> = { ...prepared.config };
  if (prepared.base && !prepared.base.row) stored[RESERVED_CONFIG_KEYS.baseDir] = prepared.base.dir;
  if (req.reserved?.promptsFile) stored[RESERVED_CONFIG_KEYS.promptsFile] = path.resolve(req.reserved.promptsFile);
  if (req.reserved?.outFile) stored[RESERVED_CONFIG_KEYS.outFile] = path.resolve(req.reserved.outFile);
  if (prepared.followUp) stored[RESERVED_CONFIG_KEYS.followUp] = prepared.followUp;
  if (prepared.reward && !prepared.reward.row) stored[RESERVED_CONFIG_KEYS.rewardDir] = prepared.reward.dir;
  return await db.transaction(async (tx) => {
    const run = await createRun(tx as unknown as Db, {
      kind: prepared.kind,
      name: prepared.outputName,
      config: stored,
      projectId: await projectScope(db, prepared.config.project) ?? null,
      baseModelId: prepared.base?.row?.id ?? null,
      rewardModelId: prepared.reward?.row?.id ?? null,
      createdBy: req.createdBy ?? null,
      startedBy: req.claim,
    });
    await writeAudit(tx, {
      userId: req.createdBy ?? null,
      action: "run.create",
      entity: "run",
      entityId: run.id,
      detail: { kind: run.kind, base: prepared.base?.label ?? null, reward: prepared.reward?.label ?? null, name: run.name, config: prepared.config },
    });
    return run;
  });
}

/** A stored run's config as its trainer reads it: the framework's reserved keys removed, then parsed. */
export function storedRunConfig<K extends RunKind>(kind: K, stored: Record<string, unknown>): RunConfig<K> {
  const own = Object.fromEntries(Object.entries(stored).filter(([k]) => !k.startsWith(RESERVED_CONFIG_KEY_PREFIX)));
  return parseRunConfig(kind, own);
}

/** The base and reward models of a stored run: registry rows, or the bare directories kept in its config. */
export async function storedRunInputs(db: Db, run: RunRow): Promise<{ base: ModelInput | null; reward: ModelInput | null }> {
  const one = async (id: string | null, dir: unknown, flag: string): Promise<ModelInput | null> => {
    if (id) {
      if (!await findModel(db, id)) throw badRequest(`the run's ${flag} (id ${id}) is no longer registered`);
      return await resolveModelInput(db, id, { flag });
    }
    if (typeof dir === "string" && dir) return await resolveModelInput(db, dir, { flag });
    return null;
  };
  return {
    base: await one(run.baseModelId, run.config[RESERVED_CONFIG_KEYS.baseDir], "base model"),
    reward: await one(run.rewardModelId, run.config[RESERVED_CONFIG_KEYS.rewardDir], "reward model"),
  };
}
