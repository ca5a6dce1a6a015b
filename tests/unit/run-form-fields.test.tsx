// Parity between the web form and the trainers: for every run kind, the settings the new-run form renders are
// exactly the keys the trainer's config schema parses, each starting at the trainer's default.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ConfigFields } from "../../app/admin/runs/_components/ConfigFields";
import { configFromValues, defaultValues } from "../../app/admin/runs/_components/config-values";
import { parseRunConfig, RUN_KINDS, runConfigFields } from "../../server/services/run-kinds/index";

/** Each rendered control's key and the value it shows (checkbox: its checked state). */
function renderedControls(kind: (typeof RUN_KINDS)[number]): Map<string, string | boolean> {
  const fields = runConfigFields(kind);
  const html = renderToStaticMarkup(<ConfigFields fields={fields} values={defaultValues(fields)} changed={new Set()} onChange={() => {}} />);
  const out = new Map<string, string | boolean>();
  for (const m of html.matchAll(/<(input|select)\b([^>]*)>/g)) {
    const attrs = m[2]!;
    const key = /data-config-key="([^"]+)"/.exec(attrs)?.[1];
    if (!key) continue;
    if (/type="checkbox"/.test(attrs)) out.set(key, /\bchecked=""/.test(attrs));
    else if (m[1] === "input") out.set(key, /value="([^"]*)"/.exec(attrs)?.[1] ?? "");
    else out.set(key, /<option value="([^"]*)" selected=""/.exec(html.slice(m.index))?.[1] ?? "");
  }
  return out;
}

describe("the new-run form and the trainer configs", () => {
  it.each(RUN_KINDS)("%s: the form's fields are the trainer schema's keys, at its defaults", (kind) => {
    const trainerDefaults = parseRunConfig(kind, {}) as Record<string, unknown>;
    const controls = renderedControls(kind);
    expect([...controls.keys()].sort()).toEqual(Object.keys(trainerDefaults).sort());
    for (const [key, shown] of controls) {
      const expected = trainerDefaults[key];
      expect(shown, key).toBe(typeof expected === "boolean" ? expected : String(expected));
    }
  });

  it("sends only what the user changed, and the trainer accepts it", () => {
    const fields = runConfigFields("ppo");
    const defaults = defaultValues(fields);
    // Two changed settings (one flips the default's boolean) and one left at its default.
    const flipped = !defaults.adaptive_kl;
    const values = { ...defaults, max_steps: "3", adaptive_kl: flipped };
    const sent = configFromValues(fields, values);
    expect(sent).toEqual({ config: { max_steps: 3, adaptive_kl: flipped } });
    expect(parseRunConfig("ppo", (sent as { config: unknown }).config)).toMatchObject({ max_steps: 3, adaptive_kl: flipped, beta: Number(defaults.beta) });
    expect(configFromValues(fields, { ...values, learning_rate: "fast" })).toEqual({ error: 'learning_rate must be a number (got "fast")' });
  });
});
