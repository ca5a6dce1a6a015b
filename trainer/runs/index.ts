// The run framework: how `rlhf train KIND`, the web app's queued runs and `rlhf worker` execute a training
// algorithm, with bookkeeping (status, lease, heartbeat, progress, metrics, logs) in the database.
//
// LIFECYCLE
//   1. server/services/run-creation.createRunFromRequest(db, {kind, base, reward?, config?, name?, claim?})
//        - the one way a run is created (the tRPC router, `rlhf train` through startRun here, and tests):
//          the config parsed against the kind's schema (unknown keys / bad values → one-line error), the models
//          resolved and checked (registry name or id, or from the CLI a checkpoint directory; cheap safetensors
//          check), tokenizers matched, the kind's dataset checked non-empty, the output name chosen (never one a
//          model or an unfinished run claims). Any failure creates NOTHING.
//        - the run is `queued` (a worker runs it), or `running` claimed by this process (`rlhf train` in-process).
//   2. executeRun(db, claimedRun, {workerId, leaseMs?, echo?, progressBar?, stopRequested?})   (execute.ts)
//        - builds the RunContext (below), calls `await algorithm.train(ctx)` → RunOutput,
//        - saves the output with `output.save(RLHF_HOME/models/<name>)` (saveCheckpoint is atomic: tmp dir + rename),
//        - registers the model (kind = the descriptor's outputKind, parent = base model, run = this run) and marks
//          the run succeeded in ONE transaction (services/runs.completeRun),
//        - on error: run `failed` with a one-line error, half-written output removed, nothing registered;
//          on cancel (RunCancelledError, or trainer/rl's RunCancelled): the run stays `cancelled`.
//   3. runWorker(db, {once?, pollMs?, shouldStop?})   (trainer/worker.ts, `rlhf worker [--once]`)
//        - claimNextRun (oldest queued run, or a `running` one whose lease expired: a dead worker's run is taken
//          over and, if the algorithm saved a resumable checkpoint in ctx.scratchDir, continues from it).
//
// ADDING A RUN KIND (grpo, say) takes two files and nothing else:
//   1. an entry in server/services/run-kinds/index.ts: label, CLI verb, needsReward, outputKind, data it needs, and
//      its config schema (a zod object in server/services/run-kinds/<kind>-config.ts, every field with
//      .default(value) and .describe(reason), shared names from config-schema.ts). The database column, the tRPC
//      input, the web form, `rlhf train <verb>` and the run-creation checks all follow from it.
//   2. its trainer, trainer/algorithms/<kind>.ts, exporting
//
//     export const algorithm: RunAlgorithm<"grpo"> = {
//       kind: "grpo",
//       async train(ctx) {                       // ctx.config is typed from the schema; import tfjs lazily here
//         const { initBackend } = await import("../backend/index");
//         ctx.log(`tfjs backend: ${await initBackend()}`);
//         ctx.setProgressTotal(ctx.config.max_steps, "iter");
//         ... ctx.throwIfCancelled(); ctx.reportMetrics(step, {"objective/kl": kl}); ctx.progress(step / steps, {...});
//         return { tokenizer, metrics: {...}, modelConfig: {...},
//                  save: (dir) => saveCheckpoint(dir, model, {tokenizer}), dispose: () => model.dispose() };
//       },
//     };
//   registerAlgorithm(algorithm) does the same in-process (tests).
//
// A KIND THAT TRAINS NOTHING (`sample`, `trains: false` in its descriptor) takes no base model: ctx.base is null, its
// inputs come from its config (sample: `policies`, resolved by server/services/sampling), it returns no `save`, and
// it has its own CLI command (`rlhf sample`) instead of `rlhf train <verb>`. Writing a file to ctx.scratchDir marks a
// run resumable: a worker that stops re-queues it, and the next one continues (sample runs skip stored prompts).
// A training run may carry a follow-up (RunRequest.followUp, "then send samples for labeling"): executeRun queues a
// sample run of the output model when the run succeeds.
//
// RunContext (types.ts), what train(ctx) gets:
//   db, run, runId, config (parsed), base / reward: ModelInput | null, scratchDir (RLHF_HOME/runs/<id>, for
//   resumable checkpoints; removed after success), log(msg, level?), reportMetrics(step, {name: value}),
//   progress(fraction, metrics?), setProgressTotal(total, unit?), isCancelled(), throwIfCancelled().
//   It satisfies trainer/rl's RlContext. The heartbeat runs on a timer (a quarter of the lease); isCancelled() is
//   true after `rlhf runs cancel`, a lost lease, or a worker shutdown (SIGINT/SIGTERM).
export { startRun, RunFailedError, type StartRunInput } from "./start";
export { executeRun, defaultWorkerId, type RunResult } from "./execute";
export { loadAlgorithm, registerAlgorithm, unregisterAlgorithm, algorithmModule } from "./registry";
export { RunCancelledError, RunInputError, isCancellation } from "./errors";
export type { RunAlgorithm, RunContext, RunOutput, ModelInput } from "./types";
export { runWorker } from "../worker";
