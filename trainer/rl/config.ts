// Run-config parsing shared by the RM, PPO and DPO configs: defaults merged with a user's JSON, with one-line errors
// for unknown keys, wrong types and out-of-range values, so a typo never silently trains with a default.

/** How one config field is checked: its type, and an optional rule that returns a reason when the value is bad. */
export interface FieldSpec {
  type: "number" | "integer" | "boolean" | "string";
  /** Allowed values for string fields. */
  choices?: readonly string[];
  min?: number;
  /** Exclusive lower bound (e.g. learning rates must be > 0). */
  above?: number;
  max?: number;
}

/** A one-line configuration error a user can act on. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Merges `input` over `defaults`, checking every key against `spec`. `label` names the config in messages, e.g.
 * "ppo config: kl_coef must be at least 0 (got -1)".
 */
export function parseConfig<T extends Record<string, unknown>>(
  label: string,
  defaults: T,
  spec: { [K in keyof T]: FieldSpec },
  input: unknown,
): T {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) throw new ConfigError(`${label} must be a JSON object`);
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const field = (spec as Record<string, FieldSpec>)[key];
    if (!field) {
      throw new ConfigError(`${label}: unknown key '${key}' (known keys: ${Object.keys(defaults).join(", ")})`);
    }
    out[key] = checkField(label, key, field, value);
  }
  return out as T;
}

function checkField(label: string, key: string, field: FieldSpec, value: unknown): unknown {
  const bad = (why: string) => new ConfigError(`${label}: ${key} ${why} (got ${JSON.stringify(value)})`);
  if (field.type === "boolean") {
    if (typeof value !== "boolean") throw bad("must be true or false");
    return value;
  }
  if (field.type === "string") {
    if (typeof value !== "string") throw bad("must be a string");
    if (field.choices && !field.choices.includes(value)) throw bad(`must be one of ${field.choices.join(", ")}`);
    return value;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw bad("must be a number");
  if (field.type === "integer" && !Number.isInteger(value)) throw bad("must be an integer");
  if (field.min !== undefined && value < field.min) throw bad(`must be at least ${field.min}`);
  if (field.above !== undefined && value <= field.above) throw bad(`must be greater than ${field.above}`);
  if (field.max !== undefined && value > field.max) throw bad(`must be at most ${field.max}`);
  return value;
}
