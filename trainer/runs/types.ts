// The contract between the run framework and a training algorithm: what an algorithm gets (RunContext) and what it
// hands back (RunOutput). What a kind is (label, models, data, config schema) is declared in
// server/services/run-kinds; this file is only about running one. See index.ts for the whole lifecycle.
import type { Db } from "../../db/index";
import type { ModelInput } from "../../server/services/model-inputs";
import type { RunConfig, RunKind } from "../../server/services/run-kinds/index";
import type { RunRow } from "../../server/services/runs";

export type { ModelInput };

export interface RunContext<C = Record<string, unknown>> {
  db: Db;
  run: RunRow;
  runId: string;
  /** The parsed, validated config (defaults filled in). */
  config: C;
  /** The base model (every kind trains from one) and the reward model (kinds whose descriptor needs one). */
  base: ModelInput | null;
  reward: ModelInput | null;
  /** A folder private to this run (RLHF_HOME/runs/<id>) for resumable checkpoints; it survives a worker restart. */
  scratchDir: string;
  /** One line to the run log (and stderr when the CLI runs in-process). */
  log(message: string, level?: "info" | "warn" | "error"): void;
  /** One step's metrics, TRL-style names (train/loss, eval/loss, objective/kl, …); stored in run_metrics. */
  reportMetrics(step: number, metrics: Record<string, number>): void;
  /**
   * Tokens the trainer just trained on (forward and backward), for perf/tokens_per_s beside the next train/ metrics;
   * optional so that tests' bare contexts need not count.
   */
  countTokens?(tokens: number): void;
  /** Fraction done 0..1 (stored, throttled) and the latest metrics for the progress bar. */
  progress(fraction: number, metrics?: Record<string, number>): void;
  /** Sizes the progress bar in the algorithm's own units (e.g. 400 "step"); optional, default percent. */
  setProgressTotal(total: number, unit?: string): void;
  /** True once the run was cancelled (or this worker lost its lease): stop at the next step boundary by throwing. */
  isCancelled(): boolean;
  /** Throws RunCancelledError when isCancelled(). */
  throwIfCancelled(): void;
}

/** What a finished algorithm returns; the framework saves and registers it. */
export interface RunOutput {
  /** Writes the output checkpoint (atomically) into `dir`. Omit for kinds that produce no model. */
  save?(dir: string): Promise<void>;
  /** Tokenizer of the output model (usually the base model's). */
  tokenizer?: string;
  /** Stored as models.config: model shape and whatever a reader of the registry should see (metrics, params). */
  modelConfig?: Record<string, unknown>;
  /** Summary numbers for `--json` and `runs show` (e.g. {"eval/loss": 1.23, steps: 400}). */
  metrics: Record<string, number | null>;
  /** Frees tensors after save (called whether or not saving worked). */
  dispose?(): void;
}

/** A kind's trainer: trainer/algorithms/<kind>.ts exports one as `algorithm`. */
export interface RunAlgorithm<K extends RunKind = RunKind> {
  kind: K;
  /** The training itself. Load tfjs lazily inside, so queuing a run stays light. */
  train(ctx: RunContext<RunConfig<K>>): Promise<RunOutput>;
}
