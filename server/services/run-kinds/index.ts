// The run kinds, declared once. Each entry says what a kind is called, what it trains from, what it produces, which
// data it needs, its CLI verb and its config schema; the database column, the tRPC input, the web form, the CLI's
// `train` commands, the run-creation checks and the worker all read this table. No database and no TensorFlow.js
// here, so the browser bundle may import it.
//
// Adding a kind: one entry below, plus its trainer at trainer/algorithms/<kind>.ts (exporting `algorithm`). Kinds that
// train (`trains: true`) start from a base model and get a `rlhf train <verb>` command; `sample` trains nothing: it
// samples the policies its config names and is `rlhf sample`.
import type { z } from "zod";
import type { MODEL_KINDS } from "../../../db/schema";

type ModelKind = (typeof MODEL_KINDS)[number];
import { configFields, parseConfigWith, type ConfigField, type ConfigSchema } from "./config-schema";
import { dpoConfig } from "./dpo-config";
import { grpoConfig } from "./grpo-config";
import { rlooConfig } from "./rloo-config";
import { ppoConfig } from "./ppo-config";
import { rewardConfig } from "./reward-config";
import { sampleConfig } from "./sample-config";
import { scoreConfig } from "./score-config";
import { sftConfig } from "./sft-config";

/** What a run reads from the database; checked before the run exists, so an empty dataset never becomes a run. */
export type DataRequirement = "demonstrations" | "rankings" | "preference_pairs" | "train_prompts" | "sample_prompts" | "open_rank_tasks";

export interface RunKindDescriptor {
  /** What the web form and run pages call it. */
  label: string;
  /** `rlhf train <verb>` for kinds that train; `rlhf <verb>` otherwise. */
  cliVerb: string;
  /** Trains a model from a base model (a base picker, `rlhf train <verb> --base M`); false for sample runs. */
  trains: boolean;
  /** Whether the run scores its samples with a reward model (`--reward`). */
  needsReward: boolean;
  /** What the output model is registered as; null for a kind that makes no model. */
  outputKind: ModelKind | null;
  data: DataRequirement;
  config: ConfigSchema;
}

export const RUN_KIND_DESCRIPTORS = {
  sft: {
    trains: true,
    label: "SFT (demonstrations)",
    cliVerb: "sft",
    needsReward: false,
    outputKind: "policy",
    data: "demonstrations",
    config: sftConfig,
  },
  reward: {
    trains: true,
    label: "Reward model (rankings)",
    cliVerb: "rm",
    needsReward: false,
    outputKind: "reward",
    data: "rankings",
    config: rewardConfig,
  },
  ppo: {
    trains: true,
    label: "PPO (policy vs reward model)",
    cliVerb: "ppo",
    needsReward: true,
    outputKind: "policy",
    data: "train_prompts",
    config: ppoConfig,
  },
  grpo: {
    trains: true,
    label: "GRPO (K samples per prompt vs reward model)",
    cliVerb: "grpo",
    needsReward: true,
    outputKind: "policy",
    data: "train_prompts",
    config: grpoConfig,
  },
  rloo: {
    trains: true,
    label: "RLOO (leave-one-out vs reward model)",
    cliVerb: "rloo",
    needsReward: true,
    outputKind: "policy",
    data: "train_prompts",
    config: rlooConfig,
  },
  dpo: {
    trains: true,
    label: "DPO (rankings as pairs)",
    cliVerb: "dpo",
    needsReward: false,
    outputKind: "policy",
    data: "preference_pairs",
    config: dpoConfig,
  },
  sample: {
    label: "Sample (policies → ranking tasks)",
    cliVerb: "sample",
    trains: false,
    needsReward: false,
    outputKind: null,
    data: "sample_prompts",
    config: sampleConfig,
  },
  score: {
    label: "Score open tasks (where to label next)",
    cliVerb: "score",
    // Reads open tasks with a reward model and writes their priorities; it takes a base like the trainers (`rlhf
    // train score --base M --reward R`) but makes no model.
    trains: true,
    needsReward: true,
    outputKind: null,
    data: "open_rank_tasks",
    config: scoreConfig,
  },
} as const satisfies Record<string, RunKindDescriptor>;

export type RunKind = keyof typeof RUN_KIND_DESCRIPTORS;
export const RUN_KINDS = Object.keys(RUN_KIND_DESCRIPTORS) as [RunKind, ...RunKind[]];
/** A kind's parsed config: every key present, defaults filled in. */
export type RunConfig<K extends RunKind> = z.output<(typeof RUN_KIND_DESCRIPTORS)[K]["config"]>;

/** The kinds that train a model from a base: `rlhf train <verb>` and the trainer-only checks. */
export const TRAINING_KINDS = RUN_KINDS.filter((k) => RUN_KIND_DESCRIPTORS[k].trains);

export function isRunKind(value: unknown): value is RunKind {
  return typeof value === "string" && Object.hasOwn(RUN_KIND_DESCRIPTORS, value);
}

export function runKind(kind: RunKind): RunKindDescriptor {
  return RUN_KIND_DESCRIPTORS[kind];
}

/** "SFT, reward model, PPO and DPO": the kinds' labels without their notes in brackets, for page subtitles. */
export function runKindNames(): string {
  // "Reward model" reads "reward model" mid-sentence; acronyms (SFT, PPO) keep their capitals.
  const names = RUN_KINDS.map((k) => RUN_KIND_DESCRIPTORS[k].label.replace(/\s*\(.*\)$/, "").replace(/^([A-Z])(?=[a-z])/, (c) => c.toLowerCase()));
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names.join("");
}

/** The kind whose CLI verb this is (`rm` → `reward`). */
export function kindForVerb(verb: string): RunKind | undefined {
  return RUN_KINDS.find((k) => RUN_KIND_DESCRIPTORS[k].cliVerb === verb);
}

/**
 * Keys starting with "_" are the run framework's own (a bare checkpoint directory given as --base); they are stored
 * beside the config but are never the user's to set and never reach the trainer.
 */
export const RESERVED_CONFIG_KEY_PREFIX = "_";

/** The defaults merged with a user's config; a one-line BAD_REQUEST error on an unknown key or a bad value. */
export function parseRunConfig<K extends RunKind>(kind: K, raw: unknown): RunConfig<K> {
  return parseConfigWith(`${kind} config`, RUN_KIND_DESCRIPTORS[kind].config, raw) as RunConfig<K>;
}

/** The kind's config fields as the web form renders them. */
export function runConfigFields(kind: RunKind): ConfigField[] {
  return configFields(RUN_KIND_DESCRIPTORS[kind].config);
}

export type { ConfigField } from "./config-schema";
