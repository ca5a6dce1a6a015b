// The contract between the run framework and a training algorithm (sft, reward, ppo, dpo): what an algorithm gets
// (RunContext) and what it hands back (RunOutput). See index.ts for the whole lifecycle.
import type { Db } from "../../db/index";
import type { ModelKind, ModelRow } from "../../server/services/models";
import type { RunRow } from "../../server/services/runs";
import type { RunKind } from "../../db/schema";

/** A checkpoint directory an algorithm reads from, with the registry row it came from (null for a bare path). */
export interface ModelInput {
  row: ModelRow | null;
  /** Absolute checkpoint directory (config.json + model.safetensors). */
  dir: string;
  /** Tokenizer name recorded for the model ('byte' | 'gpt2'). */
  tokenizer: string;
  /** Registry name, or the directory for a bare path: for log lines. */
  label: string;
}

export interface RunContext<C = Record<string, unknown>> {
  db: Db;
  run: RunRow;
  runId: string;
  /** The parsed, validated config (defaults filled in). */
  config: C;
  /** --base (every kind that trains from a policy) and --reward (ppo), when the run has them. */
  base: ModelInput | null;
  reward: ModelInput | null;
  /** A folder private to this run (RLHF_HOME/runs/<id>) for resumable checkpoints; it survives a worker restart. */
  scratchDir: string;
  /** One line to the run log (and stderr when the CLI runs in-process). */
  log(message: string, level?: "info" | "warn" | "error"): void;
  /** One step's metrics, TRL-style names (train/loss, eval/loss, objective/kl, …); stored in run_metrics. */
  reportMetrics(step: number, metrics: Record<string, number>): void;
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

export interface RunAlgorithm<C extends Record<string, unknown> = Record<string, unknown>> {
  kind: RunKind;
  /** What the output model is registered as; null for kinds that make no model. */
  outputKind: ModelKind | null;
  /** Whether --base / --reward are required. */
  needsBase: boolean;
  needsReward: boolean;
  /** Defaults merged with the user's JSON; throws a one-line error on unknown keys or bad values. No tfjs here. */
  parseConfig(raw: unknown): C;
  /** Cheap checks before a run is created (e.g. the dataset is not empty); throw RunInputError. No tfjs here. */
  preflight?(db: Db, input: { config: C; base: ModelInput | null; reward: ModelInput | null }): void;
  /** The training itself. Load tfjs lazily inside, so queuing a run stays light. */
  train(ctx: RunContext<C>): Promise<RunOutput>;
}
