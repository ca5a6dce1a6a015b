// The new-run form's settings as the user edits them (text for numbers, so a half-typed "1e-" is allowed) and the
// config sent to the server: only the keys the user changed, so every other key keeps its library default.
import type { ConfigField } from "~/server/services/run-kinds/index";

export type ConfigValues = Record<string, string | boolean>;

/** Each field at its default. */
export function defaultValues(fields: readonly ConfigField[]): ConfigValues {
  return Object.fromEntries(fields.map((f) => [f.key, f.type === "boolean" ? f.default : String(f.default)]));
}

function isChanged(field: ConfigField, value: string | boolean | undefined): boolean {
  if (value === undefined) return false;
  if (field.type === "number" || field.type === "integer") return value !== "" && Number(value) !== field.default;
  return value !== field.default;
}

/** Keys whose value differs from the default. */
export function changedKeys(fields: readonly ConfigField[], values: ConfigValues): string[] {
  return fields.filter((f) => isChanged(f, values[f.key])).map((f) => f.key);
}

/**
 * The changed settings as a config object, or the first value that is not a number. Ranges and everything else are
 * checked by the server against the trainer's own schema, so the message is the one the CLI prints.
 */
export function configFromValues(fields: readonly ConfigField[], values: ConfigValues): { config: Record<string, unknown> } | { error: string } {
  const config: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values[f.key];
    if (!isChanged(f, value)) continue;
    if (f.type === "number" || f.type === "integer") {
      const n = Number(value);
      if (!Number.isFinite(n)) return { error: `${f.key} must be a number (got "${String(value)}")` };
      config[f.key] = n;
    } else config[f.key] = value;
  }
  return { config };
}
