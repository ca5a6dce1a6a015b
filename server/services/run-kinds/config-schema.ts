// How a trainer config is declared once and read everywhere: zod fields that carry their default and the reason for
// it, one-line errors for bad values (with the closest known key for a typo), and the plain field list the web form
// renders. No database and no TensorFlow.js here, so the browser bundle may import it.
import { z } from "zod";
import { badRequest } from "../errors";

/** A trainer config: a strict zod object whose every field has `.default(value)` and `.describe(reason)`. */
export type ConfigSchema = z.ZodObject<Record<string, z.ZodDefault<z.ZodType>>, z.core.$strict>;

// Shared fields, so every trainer spells a concept the same way (TRL's names) and checks it with the same rule.
// Each trainer still picks its own default and says why.
export const learningRate = (value: number, why: string) => z.number().positive().max(1).default(value).describe(why);
export const numTrainEpochs = (value: number, why: string) => z.int().min(1).max(10_000).default(value).describe(why);
export const maxSteps = (value: number, why: string) => z.int().min(0).default(value).describe(why);
export const batchSize = (value: number, why: string, min = 1) => z.int().min(min).max(4096).default(value).describe(why);
export const gradientAccumulationSteps = (
  value = 1,
  why = "micro-batches of batch_size whose gradients are averaged into one optimizer step (TRL's name): a large effective batch in the memory of a small one",
) => z.int().min(1).max(1024).default(value).describe(why);
export const GRADIENT_CHECKPOINTING = ["auto", "on", "off"] as const;
export const gradientCheckpointing = () =>
  z
    .enum(GRADIENT_CHECKPOINTING)
    .default("auto")
    .describe(
      "recompute each block's activations in the backward pass instead of keeping them (about one more forward pass, a fraction of the memory); auto: on for models over 100M parameters, whose activations would not fit the 4 GiB wasm heap",
    );
export const warmupRatio = (value: number, why: string) => z.number().min(0).max(1).default(value).describe(why);
export const LR_SCHEDULERS = ["linear", "cosine", "constant"] as const;
export const lrSchedulerType = (value: (typeof LR_SCHEDULERS)[number], why: string) => z.enum(LR_SCHEDULERS).default(value).describe(why);
export const adamEpsilon = (value: number, why: string) => z.number().positive().max(1).default(value).describe(why);
export const weightDecay = (value: number, why: string) => z.number().min(0).max(1).default(value).describe(why);
export const maxGradNorm = (value: number, why: string) => z.number().positive().default(value).describe(why);
export const maxLength = (value: number, why: string) => z.int().min(2).default(value).describe(why);
export const evalHoldoutFraction = (value: number, why: string, max = 0.9) => z.number().min(0).max(max).default(value).describe(why);
/**
 * How often a run writes its resumable checkpoint (weights or adapters, optimizer state, cursors, RNG and KL state):
 * a worker that stops or is killed goes on from the last one. A step is an optimizer step, or for the online trainers
 * a rollout iteration; 0 turns saving off.
 */
export const saveSteps = (value: number, why: string) => z.int().min(0).default(value).describe(why);
export const seed = (value: number, why: string) => z.int().min(0).default(value).describe(why);
/** The adaptive KL controller of the online trainers (PPO's names, Ziegler et al.): one spelling and rule for each. */
export const adaptiveKl = (value: boolean, why: string) => z.boolean().default(value).describe(why);
export const targetKl = (value: number, why: string) => z.number().positive().default(value).describe(why);
export const klHorizon = (value: number, why: string) => z.number().positive().default(value).describe(why);
/** The project a run reads its data from (name or id); every kind spells it `project`. */
export const project = (why: string) => z.string().max(200).default("").describe(why);

/** GPT-2's projections a LoRA adapter can wrap (PEFT matches by module-name suffix: c_proj is attention's and the MLP's). */
export const LORA_TARGET_MODULES = ["c_attn", "c_proj", "c_fc"] as const;
export type LoraTargetModule = (typeof LORA_TARGET_MODULES)[number];

/** lora_target_modules as a list: TRL's JSON list, or the comma-separated text the web form sends. */
export function loraTargetList(value: string | readonly string[]): string[] {
  const items = typeof value === "string" ? value.split(",") : [...value];
  return items.map((s) => s.trim()).filter(Boolean);
}

/**
 * TRL's ModelConfig LoRA fields, the same on every trainer. Off by default: full fine-tuning is what small models
 * want; use_peft is what makes a GPT-2-sized policy fit the wasm heap beside its reference and RM.
 */
export const loraFields = () => ({
  use_peft: z.boolean().default(false).describe("train LoRA adapters (TRL's ModelConfig name) with the base frozen: a GPT-2-sized RL run fits in memory, and the reference is the base with its adapters off"),
  lora_r: z.int().min(1).max(1024).default(16).describe("TRL's default adapter rank: enough capacity for fine-tuning at a fraction of a percent of the parameters"),
  lora_alpha: z.number().positive().default(32).describe("TRL's default; updates are scaled by lora_alpha / lora_r, so 2× the rank"),
  lora_dropout: z.number().min(0).max(0.9).default(0.05).describe("TRL's default dropout on the adapters' input, in SFT, RM and DPO steps; online RL keeps it off so the first ratio is exactly 1"),
  lora_target_modules: z
    .union([z.string(), z.array(z.string())])
    .superRefine((v, ctx) => {
      const list = loraTargetList(v);
      const unknown = list.find((m) => !(LORA_TARGET_MODULES as readonly string[]).includes(m));
      if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `lora_target_modules: unknown module '${unknown}'; GPT-2's are ${LORA_TARGET_MODULES.join(", ")}` });
      else if (list.length === 0) ctx.addIssue({ code: "custom", message: `lora_target_modules must name at least one of ${LORA_TARGET_MODULES.join(", ")}` });
    })
    .default(LORA_TARGET_MODULES.join(","))
    .describe("GPT-2's attention and MLP projections (a list, or comma-separated): adapters on every matrix of the block, as QLoRA found best"),
});

/**
 * Names this project used before it took TRL's: a config that still uses one gets told the new name rather than a
 * guess. One table for every trainer.
 */
export const RENAMED_KEYS: Record<string, string> = {
  lr: "learning_rate",
  epochs: "num_train_epochs",
  adam_eps: "adam_epsilon",
  iterations: "max_steps",
  kl_coef: "beta",
  ppo_epochs: "num_ppo_epochs",
  eval_fraction: "eval_holdout_fraction",
};

/** Edit distance, for "did you mean": configs are a few dozen short keys, so the quadratic table is nothing. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key a mistyped one most likely meant (an old name counts as its new one), or undefined when none is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const candidates: [string, string][] = known.map((k) => [k, k]);
  for (const [old, now] of Object.entries(RENAMED_KEYS)) if (known.includes(now)) candidates.push([old, now]);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const [spelling, meant] of candidates) {
    const d = spelling.includes(key) || key.includes(spelling) ? Math.abs(spelling.length - key.length) / 2 : editDistance(key, spelling);
    if (d < bestDistance) [best, bestDistance] = [meant, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      return issue.inclusive === false ? `must be greater than ${issue.minimum}` : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
    case "invalid_type":
      if (issue.expected === "int") return "must be an integer";
      if (issue.expected === "boolean") return "must be true or false";
      return `must be a ${issue.expected}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}`;
    default:
      return issue.message;
  }
}

/**
 * The defaults merged with a user's JSON object, or a one-line BAD_REQUEST error a user can act on, e.g.
 * "ppo config: beta must be at least 0 (got -1)" or "dpo config: unknown key 'lr'; did you mean 'learning_rate'?".
 */
export function parseConfigWith<S extends ConfigSchema>(label: string, schema: S, input: unknown): z.output<S> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) throw badRequest(`${label} must be a JSON object`);
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(input as object).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    const guess = closestKey(unknown, known);
    throw badRequest(`${label}: unknown key '${unknown}'; ${guess ? `did you mean '${guess}'?` : `known keys: ${known.join(", ")}`}`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join(".");
  if (issue.code === "custom" || !key) throw badRequest(`${label}: ${issue.message}`);
  const got = (input as Record<string, unknown>)[key];
  throw badRequest(`${label}: ${key} ${describeIssue(issue)} (got ${JSON.stringify(got)})`);
}

/** One config field as a form shows it: its control, its default and limits, and the reason beside the default. */
export type ConfigField =
  | { key: string; type: "number" | "integer"; default: number; min?: number; above?: number; max?: number; description: string }
  | { key: string; type: "boolean"; default: boolean; description: string }
  | { key: string; type: "choice"; default: string; choices: string[]; description: string }
  | { key: string; type: "string"; default: string; description: string };

interface JsonSchemaField {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}

/** The fields of a config schema in declaration order, read from its JSON Schema (so nothing is listed twice). */
export function configFields(schema: ConfigSchema): ConfigField[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, JsonSchemaField> };
  return Object.entries(json.properties).map(([key, p]): ConfigField => {
    const description = p.description ?? "";
    if (p.enum) return { key, type: "choice", default: String(p.default), choices: p.enum.map(String), description };
    if (p.type === "boolean") return { key, type: "boolean", default: p.default === true, description };
    if (p.type === "number" || p.type === "integer") {
      const field: ConfigField = { key, type: p.type, default: Number(p.default), description };
      if (p.minimum !== undefined) field.min = p.minimum;
      if (p.exclusiveMinimum !== undefined) field.above = p.exclusiveMinimum;
      if (p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER) field.max = p.maximum;
      return field;
    }
    return { key, type: "string", default: String(p.default ?? ""), description };
  });
}
