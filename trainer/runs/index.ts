// The run framework: how `rlhf train KIND`, the web app's queued runs and `rlhf worker` execute a training
// algorithm, with bookkeeping (status, lease, heartbeat, progress, metrics, logs) in the database.
//
// LIFECYCLE
//   1. startRun(db, {kind, base?, reward?, config?, name?, queue?}, {echo?, progressBar?})   (start.ts, the CLI)
//        - loads the kind's algorithm, algorithm.parseConfig(config) (unknown keys / bad values → one-line error),
//          resolves --base/--reward (registry name or id, or a checkpoint directory; cheap safetensors check),
//          algorithm.preflight(db, …) (e.g. "no demonstrations"), and checks the output model name is free.
//          Any failure here creates NOTHING (no run row, no model).
//        - creates the run: `queued` with --queue (a worker runs it), else `running` claimed by this process.
//        - in-process: executeRun(), then throws a one-line CliError if the run did not succeed.
//   2. executeRun(db, claimedRun, {workerId, leaseMs?, echo?, progressBar?, stopRequested?})   (execute.ts)
//        - builds the RunContext (below), calls `await algorithm.train(ctx)` → RunOutput,
//        - saves the output with `output.save(RLHF_HOME/models/<name>)` (saveCheckpoint is atomic: tmp dir + rename),
//        - registers the model (kind = algorithm.outputKind, parent = base model, run = this run) and marks the run
//          succeeded in ONE transaction (services/runs.completeRun),
//        - on error: run `failed` with a one-line error, half-written output removed, nothing registered;
//          on cancel (RunCancelledError, or trainer/rl's RunCancelled): the run stays `cancelled`.
//   3. runWorker(db, {once?, pollMs?, shouldStop?})   (trainer/worker.ts, `rlhf worker [--once]`)
//        - claimNextRun (oldest queued run, or a `running` one whose lease expired: a dead worker's run is taken
//          over and, if the algorithm saved a resumable checkpoint in ctx.scratchDir, continues from it).
//
// ADDING A RUN KIND (reward, ppo, dpo): add ONE file at the path registry.ts names for the kind
//   (trainer/rl/reward-algorithm.ts, trainer/rl/ppo-algorithm.ts, trainer/rl/dpo-algorithm.ts) exporting
//
//     export const algorithm: RunAlgorithm<MyConfig> = {
//       kind: "ppo", outputKind: "policy" | "reward" | null, needsBase: true, needsReward: true,
//       parseConfig: (raw) => parseConfig("ppo config", DEFAULTS, SPEC, raw),   // tfjs-free
//       preflight(db, { config, base, reward }) { ... throw new RunInputError("no rankings yet: ...") },  // optional
//       async train(ctx) {                       // import tfjs-heavy code lazily here: `await import("./ppo-run")`
//         await initBackend();
//         const { model } = await loadCheckpoint(ctx.base!.dir);  // ctx.base: {row, dir, tokenizer, label}
//         ctx.setProgressTotal(steps, "step");
//         ... ctx.throwIfCancelled(); ctx.reportMetrics(step, {"objective/kl": kl}); ctx.progress(step / steps, {...});
//         return { tokenizer, metrics: {...}, modelConfig: {...},
//                  save: (dir) => saveCheckpoint(dir, model, {tokenizer, optimizer}), dispose: () => model.dispose() };
//       },
//     };
//   registerAlgorithm(algorithm) does the same in-process (tests). Nothing else changes: CLI, worker and web queue
//   all go through loadAlgorithm(kind).
//
// RunContext (types.ts), what train(ctx) gets:
//   db, run, runId, config (parsed), base / reward: ModelInput | null, scratchDir (RLHF_HOME/runs/<id>, for
//   resumable checkpoints; removed after success), log(msg, level?), reportMetrics(step, {name: value}),
//   progress(fraction, metrics?), setProgressTotal(total, unit?), isCancelled(), throwIfCancelled().
//   It satisfies trainer/rl's RlContext. The heartbeat runs on a timer (a quarter of the lease); isCancelled() is
//   true after `rlhf runs cancel`, a lost lease, or a worker shutdown (SIGINT/SIGTERM).
export { startRun, prepareRun, type StartRunInput } from "./start";
export { executeRun, defaultWorkerId, type RunResult } from "./execute";
export { loadAlgorithm, registerAlgorithm, unregisterAlgorithm, ALGORITHM_MODULES } from "./registry";
export { RunCancelledError, RunInputError, isCancellation } from "./errors";
export type { RunAlgorithm, RunContext, RunOutput, ModelInput } from "./types";
export { runWorker } from "../worker";
