// `rlhf train <verb>`: one command per run kind, all made here from the run-kind table, with one handler: the same
// flags, the same Ctrl-C handling (stop after the current step) and the same --json shape for every kind.
import { runConfigFields, runKind, TRAINING_KINDS, type RunKind } from "../../../server/services/run-kinds/index";
import { startRun } from "../../runs/start";
import { UsageError } from "../args";
import { readJsonFile } from "../files";
import { fmt, registryDb } from "../shared";
import type { Command, Handler } from "../types";

/** The kind's config keys with their defaults and reasons, for `rlhf train <verb> --help`. */
function configHelp(kind: RunKind): string {
  const fields = runConfigFields(kind);
  const width = Math.max(...fields.map((f) => f.key.length + String(f.default).length + 3));
  const lines = fields.map((f) => `  ${`${f.key} (${JSON.stringify(f.default)})`.padEnd(width + 2)}${f.description}`);
  return [`${runKind(kind).label}. --config FILE.json sets any of these keys; unset keys keep their defaults:`, ...lines].join("\n");
}

function trainCommand(kind: RunKind): Handler {
  return async (args, io) => {
    const base = args.string("base", { required: true });
    const reward = runKind(kind).needsReward ? args.string("reward", { required: true }) : undefined;
    const configFile = args.string("config");
    const name = args.string("name");
    const queue = args.bool("queue");
    const project = args.string("project");
    const sampleK = args.number("then-sample", { integer: true, min: 2, max: 16 });
    const samplePrompts = args.string("sample-prompts");
    args.assertAllUsed();
    const config = (configFile ? readJsonFile(configFile, "--config") : {}) as Record<string, unknown>;
    // --project scopes the data the run reads (one project's demonstrations, rankings or prompts).
    if (project !== undefined && config && typeof config === "object" && !Array.isArray(config)) config.project = project;
    if (samplePrompts !== undefined && sampleK === undefined) throw new UsageError("--sample-prompts goes with --then-sample K");
    if (sampleK !== undefined && !project) throw new UsageError("--then-sample K needs --project P (where the samples' ranking tasks open)");
    const followUp = sampleK !== undefined ? { project: project!, k: sampleK, ...(samplePrompts ? { prompt_set: samplePrompts } : {}) } : undefined;
    const db = await registryDb();
    // Ctrl-C stops at the next step: the run is failed, or re-queued when it saved a resumable checkpoint.
    let interrupted = false;
    const onSignal = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      io.log("interrupted: stopping after the current step (press again to quit at once)");
    };
    process.on("SIGINT", onSignal);
    const { run, result } = await startRun(db, { kind, base, reward, config, name, queue, followUp }, { echo: io.log, progressBar: true, stopRequested: () => interrupted }).finally(() =>
      process.off("SIGINT", onSignal),
    );
    const json: Record<string, unknown> = {
      run_id: run.id,
      kind,
      status: result?.run.status ?? run.status,
      queued: !result,
      model: result?.model?.name ?? run.name,
      model_id: result?.model?.id ?? null,
      ...(result?.metrics ?? {}),
    };
    if (!result) return { json, text: `queued ${kind} run ${run.id}${run.name ? ` (output model '${run.name}')` : ""}; 'rlhf worker' will run it` };
    const figures = Object.entries(result.metrics).map(([k, v]) => `  ${k}: ${fmt(v)}`);
    return { json, text: [`${kind} run ${run.id} succeeded: model '${result.model?.name ?? "-"}'`, ...figures].join("\n") };
  };
}

export const commands: Command[] = TRAINING_KINDS.map((kind) => {
  const d = runKind(kind);
  return {
    name: `train ${d.cliVerb}`,
    usage: `rlhf train ${d.cliVerb} --base M${d.needsReward ? " --reward R" : ""} [--project P] [--config FILE.json] [--name N] [--queue]${d.outputKind === "policy" ? " [--then-sample K]" : ""}`,
    help:
      configHelp(kind) +
      (d.outputKind === "policy"
        ? "\n--then-sample K [--sample-prompts unranked|train|test|all]: when the run succeeds, queue a sample run of its output (K per prompt) into --project's ranking tasks"
        : ""),
    run: trainCommand(kind),
  };
});
