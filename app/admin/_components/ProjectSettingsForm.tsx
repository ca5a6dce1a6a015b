"use client";
// Project settings form, shared by "new project" and the project page: name, guidelines (markdown), K,
// overlap N, ties, the flag set, the Likert scale, and the label-quality settings (gold rate, review threshold,
// prompt selection, rationale).
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { MarkdownEditor } from "~/app/_components/MarkdownEditor";
import { Button, Field, inputClass } from "~/app/_components/ui";
import { DEFAULT_PROJECT_SETTINGS, MAX_GOLD_RATE, SELECTION_STRATEGIES, type ProjectSettings, type SelectionStrategy } from "~/server/services/project-settings";

export type ProjectSettingsValues = ProjectSettings;

export const DEFAULT_SETTINGS: ProjectSettingsValues = { name: "", ...DEFAULT_PROJECT_SETTINGS };

/** "harmful, untruthful,, off-topic" → ["harmful", "untruthful", "off-topic"] (unique, trimmed). */
function parseFlags(text: string): string[] {
  return [...new Set(text.split(",").map((f) => f.trim()).filter(Boolean))];
}

export function ProjectSettingsForm({
  initial,
  submitLabel,
  busy,
  error,
  savedNotice,
  onSubmit,
}: {
  initial: ProjectSettingsValues;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  savedNotice?: string;
  onSubmit: (values: ProjectSettingsValues) => void;
}) {
  const [name, setName] = useState(initial.name);
  const [guidelines, setGuidelines] = useState(initial.guidelines);
  const [k, setK] = useState(String(initial.k));
  const [overlap, setOverlap] = useState(String(initial.overlap));
  const [allowTies, setAllowTies] = useState(initial.allowTies);
  const [flagsText, setFlagsText] = useState(initial.flags.join(", "));
  const [likertScale, setLikertScale] = useState(String(initial.likertScale));
  const [goldRate, setGoldRate] = useState(String(initial.goldRate));
  const [reviewBelow, setReviewBelow] = useState(String(initial.reviewBelow));
  const [selection, setSelection] = useState<SelectionStrategy>(initial.selection);
  const [requireRationale, setRequireRationale] = useState(initial.requireRationale);

  function submit(e: FormEvent) {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      guidelines,
      k: Number(k),
      overlap: Number(overlap),
      allowTies,
      flags: parseFlags(flagsText),
      likertScale: Number(likertScale),
      goldRate: Number(goldRate),
      reviewBelow: Number(reviewBelow),
      selection,
      requireRationale,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Project settings">
      <Field label="Name" htmlFor="project-name">
        <input id="project-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} className={inputClass} />
      </Field>
      <div className="space-y-1">
        <span className="block text-sm font-medium text-slate-700">Guidelines (markdown)</span>
        <div className="rounded-md border border-slate-300 bg-white">
          <MarkdownEditor
            value={guidelines}
            onChange={setGuidelines}
            label="Guidelines"
            testId="project-guidelines"
            placeholder="What makes a good response? Annotators see this beside every prompt."
            autoFocus={false}
            minHeight="min-h-40"
          />
        </div>
      </div>
      <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Field label="Completions (K)" htmlFor="project-k" hint="Shown per ranking task, 2–16">
          <input id="project-k" type="number" min={2} max={16} value={k} onChange={(e) => setK(e.target.value)} className={inputClass} />
        </Field>
        <Field label="Overlap (N)" htmlFor="project-overlap" hint="Annotators per item">
          <input id="project-overlap" type="number" min={1} max={100} value={overlap} onChange={(e) => setOverlap(e.target.value)} className={inputClass} />
        </Field>
        <Field label="Likert scale" htmlFor="project-likert" hint="Per-completion quality rating">
          <select id="project-likert" value={likertScale} onChange={(e) => setLikertScale(e.target.value)} className={inputClass}>
            <option value="0">Off</option>
            {[2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => (
              <option key={n} value={n}>
                1 – {n}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Ties" htmlFor="project-ties" hint="Same rank for two completions">
          <label className="flex h-[34px] items-center gap-2 text-sm text-slate-700">
            <input id="project-ties" type="checkbox" checked={allowTies} onChange={(e) => setAllowTies(e.target.checked)} className="h-4 w-4 accent-indigo-600" />
            Allow ties
          </label>
        </Field>
      </div>
      <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Field label="Gold rate" htmlFor="project-gold-rate" hint={`Share of tasks that are gold, 0–${MAX_GOLD_RATE}`}>
          <input id="project-gold-rate" type="number" step="0.01" min={0} max={MAX_GOLD_RATE} value={goldRate} onChange={(e) => setGoldRate(e.target.value)} className={inputClass} />
        </Field>
        <Field label="Review below" htmlFor="project-review-below" hint="Agreement that sends an item to review">
          <input id="project-review-below" type="number" step="0.05" min={0} max={1} value={reviewBelow} onChange={(e) => setReviewBelow(e.target.value)} className={inputClass} />
        </Field>
        <Field label="Prompt selection" htmlFor="project-selection" hint="uncertain/disagree follow a scoring run">
          <select id="project-selection" value={selection} onChange={(e) => setSelection(e.target.value as SelectionStrategy)} className={inputClass}>
            {SELECTION_STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Rationale" htmlFor="project-rationale" hint="A one-line reason per ranking">
          <label className="flex h-[34px] items-center gap-2 text-sm text-slate-700">
            <input id="project-rationale" type="checkbox" checked={requireRationale} onChange={(e) => setRequireRationale(e.target.checked)} className="h-4 w-4 accent-indigo-600" />
            Require a reason
          </label>
        </Field>
      </div>
      <Field label="Flags" htmlFor="project-flags" hint="Comma-separated; annotators can tick these on each completion.">
        <input id="project-flags" value={flagsText} onChange={(e) => setFlagsText(e.target.value)} className={inputClass} />
      </Field>
      <ErrorBanner error={error} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={busy || !name.trim()}>
          {busy ? "Saving…" : submitLabel}
        </Button>
        {savedNotice && (
          <span role="status" className="text-sm text-emerald-600">
            {savedNotice}
          </span>
        )}
      </div>
    </form>
  );
}
