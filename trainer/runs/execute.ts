// Executes one claimed run end to end: parse its config, resolve its models, call the algorithm, save the output
// checkpoint atomically, and register it together with marking the run succeeded, or mark the run failed with a
// one-line error (removing any half-written output). Used in-process by the CLI and by the worker.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "../../db/index";
import { dataHome } from "../../db/paths";
import { uniqueModelName, type ModelRow } from "../../server/services/models";
import { createRunFromRequest, RESERVED_CONFIG_KEYS, storedRunConfig, storedRunInputs, type FollowUpSample } from "../../server/services/run-creation";
import { isRunKind, runKind, type RunConfig, type RunKind } from "../../server/services/run-kinds/index";
import { appendLog, completeRun, failRun, getRun, requeueRun, type RunRow } from "../../server/services/runs";
import { createRunContext, runScratchDir, type ContextOptions, type LiveContext } from "./context";
import { isCancellation, oneLineError } from "./errors";
import { loadAlgorithm } from "./registry";
import type { RunOutput } from "./types";

export interface RunResult {
  run: RunRow;
  model: ModelRow | null;
  metrics: Record<string, number | null>;
  /** Set when the run did not succeed: the one-line reason. */
  error: string | null;
}

/** This process's worker id: host and pid, so `runs show` tells which machine holds a run. */
export function defaultWorkerId(prefix = "worker"): string {
  return `${prefix}:${os.hostname()}:${process.pid}`;
}

/** A free models/<name> folder under RLHF_HOME (relative path for the registry, absolute for writing). */
function outputLocation(name: string, runId: string): { rel: string; abs: string } {
  let rel = path.join("models", name);
  if (fs.existsSync(path.join(dataHome(), rel))) rel = path.join("models", `${name}-${runId}`);
  return { rel, abs: path.join(dataHome(), rel) };
}

/**
 * "Then send samples for labeling": a sample run of the new policy, queued for a worker, so the next labeling round
 * opens by itself. Its failure to queue (the project was deleted, say) is logged and leaves the training run done.
 */
async function queueFollowUp(db: Db, run: RunRow, model: ModelRow, log: (m: string, level?: "info" | "warn" | "error") => void): Promise<void> {
  const f = run.config[RESERVED_CONFIG_KEYS.followUp] as FollowUpSample | undefined;
  if (!f || model.kind !== "policy") return;
  try {
    const next = await createRunFromRequest(db, {
      kind: "sample",
      config: { project: f.project, policies: model.name, ...(f.prompt_set ? { prompt_set: f.prompt_set } : {}), ...(f.k ? { k: f.k } : {}), ...(f.max_prompts ? { max_prompts: f.max_prompts } : {}) },
      createdBy: run.createdBy ?? null,
    });
    log(`queued sample run ${next.id}: '${model.name}' samples for labeling in project '${f.project}'`);
  } catch (err) {
    log(`could not queue the follow-up sample run: ${oneLineError(err)}`, "warn");
  }
}

/**
 * Runs a run this worker has claimed (status `running`, workerId = opts.workerId). Never throws for a failing
 * algorithm: the outcome is in the returned run's status and `error`.
 */
export async function executeRun(db: Db, claimed: RunRow, opts: ContextOptions): Promise<RunResult> {
  let live: LiveContext<RunConfig<RunKind>> | null = null;
  let output: RunOutput | null = null;
  let writtenDir: string | null = null;
  let model: ModelRow | null = null;
  try {
    // A row written by a newer build may name a kind this one does not have.
    if (!isRunKind(claimed.kind)) throw new Error(`run kind '${String(claimed.kind)}' is not known to this version; upgrade the worker`);
    const kind = runKind(claimed.kind);
    const algorithm = await loadAlgorithm(claimed.kind);
    const config = storedRunConfig(claimed.kind, claimed.config);
    const inputs = kind.trains ? await storedRunInputs(db, claimed) : { base: null, reward: null };
    if (kind.trains && !inputs.base) throw new Error(`a ${claimed.kind} run needs a base model`);
    if (kind.needsReward && !inputs.reward) throw new Error(`a ${claimed.kind} run needs a reward model`);
    live = createRunContext(db, claimed, config, inputs, opts);
    const { ctx } = live;
    ctx.log(`${claimed.kind} run ${claimed.id} started on ${opts.workerId}${inputs.base ? ` from ${inputs.base.label}` : ""}`);
    output = await algorithm.train(ctx);
    await live.flush();
    ctx.throwIfCancelled();

    if (kind.outputKind && output.save) {
      // The run was named when it was created; only a model registered by hand since then can have taken the name.
      const wanted = claimed.name ?? `${claimed.kind}-${claimed.id}`;
      const name = await uniqueModelName(db, wanted);
      if (name !== wanted) ctx.log(`a model named '${wanted}' was registered while the run trained; saving as '${name}'`, "warn");
      const where = outputLocation(name, claimed.id);
      writtenDir = where.abs;
      await output.save(where.abs);
      model =
        await completeRun(db, claimed.id, {
          name,
          kind: kind.outputKind,
          path: where.rel,
          tokenizer: output.tokenizer ?? inputs.base?.tokenizer ?? "byte",
          parentId: inputs.base?.row?.id ?? null,
          config: { ...(output.modelConfig ?? {}), metrics: output.metrics },
        }) ?? null;
      ctx.log(`registered model '${name}' (${where.rel})`);
      if (model) await queueFollowUp(db, claimed, model, ctx.log);
    } else {
      await completeRun(db, claimed.id);
    }
    fs.rmSync(runScratchDir(claimed.id), { recursive: true, force: true });
    return { run: await getRun(db, claimed.id), model, metrics: output.metrics, error: null };
  } catch (err) {
    await live?.flush().catch(() => {}); // what the run reported lands before its end is written
    const reason = live?.stopReason() ?? null;
    if (writtenDir && !model) fs.rmSync(writtenDir, { recursive: true, force: true });
    let message = oneLineError(err);
    if (isCancellation(err) || reason) {
      if (reason === "stopped") {
        // With a resumable checkpoint in the scratch folder the next worker continues from it; without, start over.
        const scratch = runScratchDir(claimed.id);
        const resumable = fs.existsSync(scratch) && fs.readdirSync(scratch).length > 0;
        if (resumable && await requeueRun(db, claimed.id, opts.workerId)) message = "the worker stopped; the run is queued again and resumes from its last checkpoint";
        else await failRun(db, claimed.id, (message = "the worker stopped before the run finished; start it again"));
      }
      // 'cancelled': a user already set the status; 'lease-lost': another worker owns the run now.
      else message = reason === "lease-lost" ? "this worker lost its lease on the run" : "run cancelled";
    } else {
      if (process.env.RLHF_DEBUG) console.error(err);
      await failRun(db, claimed.id, message);
    }
    if ((await getRun(db, claimed.id)).status !== "queued") fs.rmSync(runScratchDir(claimed.id), { recursive: true, force: true });
    try {
      await appendLog(db, claimed.id, message, isCancellation(err) ? "warn" : "error");
    } catch {
      // The database itself may be the failure; the run's status already says what happened where it could.
    }
    return { run: await getRun(db, claimed.id), model: null, metrics: output?.metrics ?? {}, error: message };
  } finally {
    try {
      output?.dispose?.();
    } finally {
      await live?.close();
    }
  }
}
