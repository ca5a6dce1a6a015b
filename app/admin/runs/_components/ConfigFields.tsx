// The settings of one run kind, one control per config key, rendered from the trainer's own schema: its default,
// its limits and the reason for the default beside it. A changed value is marked and can be reset.
import type { ConfigField } from "~/server/services/run-kinds/index";
import { inputClass } from "~/app/_components/ui";
import type { ConfigValues } from "./config-values";

function limits(f: ConfigField): string {
  if (f.type !== "number" && f.type !== "integer") return "";
  const parts = [f.min !== undefined ? `≥ ${f.min}` : "", f.above !== undefined ? `> ${f.above}` : "", f.max !== undefined ? `≤ ${f.max}` : ""].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function Control({ field, value, onChange }: { field: ConfigField; value: string | boolean; onChange: (v: string | boolean) => void }) {
  const id = `config-${field.key}`;
  const common = { id, name: field.key, "data-config-key": field.key, "aria-describedby": `${id}-why` };
  switch (field.type) {
    case "boolean":
      return <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} className="h-4 w-4 rounded border-slate-300 text-indigo-600" />;
    case "choice":
      return (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} className={`${inputClass} py-1 text-xs`}>
          {field.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    case "number":
    case "integer":
      return <input type="text" inputMode="decimal" spellCheck={false} {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} className={`${inputClass} py-1 font-mono text-xs`} />;
    case "string":
      return <input type="text" {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} className={`${inputClass} py-1 text-xs`} />;
    default: {
      const unhandled: never = field;
      return unhandled;
    }
  }
}

export function ConfigFields({
  fields,
  values,
  changed,
  onChange,
}: {
  fields: readonly ConfigField[];
  values: ConfigValues;
  changed: ReadonlySet<string>;
  onChange: (key: string, value: string | boolean) => void;
}) {
  return (
    <ul className="divide-y divide-slate-100" aria-label="Run settings">
      {fields.map((f) => (
        <li key={f.key} className="py-1.5" data-testid="config-field" data-key={f.key}>
          <div className="flex items-center gap-2">
            <label htmlFor={`config-${f.key}`} className={`min-w-0 flex-1 truncate font-mono text-xs ${changed.has(f.key) ? "font-semibold text-indigo-700" : "text-slate-700"}`} title={f.key}>
              {f.key}
            </label>
            <div className={f.type === "boolean" ? "" : "w-28 shrink-0"}>
              <Control field={f} value={values[f.key] ?? ""} onChange={(v) => onChange(f.key, v)} />
            </div>
          </div>
          <p id={`config-${f.key}-why`} className="mt-0.5 text-[11px] leading-snug text-slate-500">
            {f.description}
            {limits(f)}
            {changed.has(f.key) && (
              <>
                {" "}
                <button type="button" onClick={() => onChange(f.key, f.type === "boolean" ? f.default : String(f.default))} className="text-indigo-600 underline">
                  reset to {JSON.stringify(f.default)}
                </button>
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}
