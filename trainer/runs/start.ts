// Starts a run from the CLI: the run-creation service checks everything that can fail cheaply (config, models,
// tokenizers, dataset, output name) before the run row exists; then the run is either left queued for a worker or
// executed here in-process.
import type { Db } from "../../db/index";
import { createRunFromRequest, type RunRequest } from "../../server/services/run-creation";
import type { RunRow } from "../../server/services/runs";
import type { ContextOptions } from "./context";
import { defaultWorkerId, executeRun, type RunResult } from "./execute";

export interface StartRunInput extends Omit<RunRequest, "claim" | "registeredOnly"> {
  /** Leave the run queued for `rlhf worker` instead of running it here. */
  queue?: boolean;
}

/** A run that did not succeed in-process: the run row records the same one-line reason. */
export class RunFailedError extends Error {
  override name = "RunFailedError";
}

/**
 * `rlhf train KIND`: queue the run, or run it in-process and return its outcome. Bad input throws the service's
 * one-line error (nothing created); a run that failed throws RunFailedError.
 */
export async function startRun(
  db: Db,
  input: StartRunInput,
  opts: Omit<ContextOptions, "workerId"> & { workerId?: string } = {},
): Promise<{ run: RunRow; result: RunResult | null }> {
  const { queue, ...request } = input;
  const workerId = queue ? null : (opts.workerId ?? defaultWorkerId("cli"));
  const run = await createRunFromRequest(db, { ...request, claim: workerId ? { workerId } : undefined });
  if (queue) return { run, result: null };
  const result = await executeRun(db, run, { ...opts, workerId: workerId! });
  if (result.error) throw new RunFailedError(`${input.kind} run ${run.id} ${result.run.status}: ${result.error}`);
  return { run: result.run, result };
}
