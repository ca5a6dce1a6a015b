// Starts a run from the CLI: every check that can fail cheaply (models, config, output name, dataset) happens before
// the run row exists; then the run is either left queued for a worker or executed here in-process.
import type { Db } from "../../db/index";
import type { RunKind } from "../../db/schema";
import { assertModelName, findModel, uniqueModelName } from "../../server/services/models";
import { createRun, type RunRow } from "../../server/services/runs";
import { CliError } from "../cli/args";
import { resolveModelInput } from "../cli/resolve";
import { defaultWorkerId, executeRun, RESERVED_CONFIG_KEYS, type RunResult } from "./execute";
import { oneLineError } from "./errors";
import { loadAlgorithm } from "./registry";
import type { ContextOptions } from "./context";

export interface StartRunInput {
  kind: RunKind;
  /** --base / --reward values: registry name or id, or a checkpoint directory. */
  base?: string;
  reward?: string;
  /** The user's config object (from --config FILE.json); unknown keys are errors. */
  config?: unknown;
  /** Output model name; default `<base>-<kind>`, made unique. */
  name?: string;
  /** Leave the run queued for `rlhf worker` instead of running it here. */
  queue?: boolean;
  createdBy?: string | null;
}

export interface PreparedRun {
  run: RunRow;
  outputName: string | null;
}

/** Validates everything and creates the run row (queued, or running and claimed by `workerId`). */
export async function prepareRun(db: Db, input: StartRunInput, workerId: string | null): Promise<PreparedRun> {
  const algorithm = await loadAlgorithm(input.kind);
  let config: Record<string, unknown>;
  try {
    config = algorithm.parseConfig(input.config ?? {});
  } catch (err) {
    throw new CliError(oneLineError(err));
  }
  const base = input.base ? resolveModelInput(db, input.base, { flag: "--base", kind: "policy" }) : null;
  const reward = input.reward ? resolveModelInput(db, input.reward, { flag: "--reward", kind: "reward" }) : null;
  if (algorithm.needsBase && !base) throw new CliError(`rlhf train ${input.kind} needs --base MODEL`);
  if (algorithm.needsReward && !reward) throw new CliError(`rlhf train ${input.kind} needs --reward MODEL`);
  try {
    algorithm.preflight?.(db, { config, base, reward });
  } catch (err) {
    throw new CliError(oneLineError(err));
  }

  let outputName: string | null = null;
  if (algorithm.outputKind) {
    if (input.name) {
      try {
        assertModelName(input.name);
      } catch (err) {
        throw new CliError(oneLineError(err));
      }
      if (findModel(db, input.name)) throw new CliError(`a model named '${input.name}' already exists; pick another --name`);
      outputName = input.name;
    } else {
      const stem = (base?.row?.name ?? base?.label.split(/[\\/]/).filter(Boolean).pop() ?? input.kind).replace(/[^A-Za-z0-9._-]/g, "-");
      outputName = uniqueModelName(db, `${stem}-${input.kind}`);
    }
  }
  const stored: Record<string, unknown> = { ...config };
  if (base && !base.row) stored[RESERVED_CONFIG_KEYS.baseDir] = base.dir;
  if (reward && !reward.row) stored[RESERVED_CONFIG_KEYS.rewardDir] = reward.dir;
  const run = createRun(db, {
    kind: input.kind,
    name: outputName,
    config: stored,
    baseModelId: base?.row?.id ?? null,
    rewardModelId: reward?.row?.id ?? null,
    createdBy: input.createdBy ?? null,
    startedBy: workerId ? { workerId } : undefined,
  });
  return { run, outputName };
}

/**
 * `rlhf train KIND`: queue the run, or run it in-process and return its outcome. Throws a one-line CliError for
 * bad input (nothing created) and for a run that failed (the run row records the same reason).
 */
export async function startRun(
  db: Db,
  input: StartRunInput,
  opts: Omit<ContextOptions, "workerId"> & { workerId?: string } = {},
): Promise<{ run: RunRow; result: RunResult | null }> {
  const workerId = input.queue ? null : (opts.workerId ?? defaultWorkerId("cli"));
  const { run } = await prepareRun(db, input, workerId);
  if (input.queue) return { run, result: null };
  const result = await executeRun(db, run, { ...opts, workerId: workerId! });
  if (result.error) throw new CliError(`${input.kind} run ${run.id} ${result.run.status}: ${result.error}`);
  return { run: result.run, result };
}
