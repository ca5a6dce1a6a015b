"use client";
// The playground: one prompt, one or two policies side by side (ours or endpoints), with sampling controls. Answers
// are polled: the worker generates for our models, the server calls endpoints in the background. Model text is shown
// as plain text with its whitespace, never as markdown.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Card, Field, inputClass, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

interface Controls {
  n: number;
  temperature: number;
  top_p: number;
  max_new_tokens: number;
  seed: number;
}

const DEFAULTS: Controls = { n: 1, temperature: 1, top_p: 1, max_new_tokens: 128, seed: 0 };
const LIMITS: Record<keyof Controls, { min: number; max: number; step: number; label: string }> = {
  n: { min: 1, max: 4, step: 1, label: "Samples" },
  temperature: { min: 0, max: 2, step: 0.1, label: "Temperature" },
  top_p: { min: 0.05, max: 1, step: 0.05, label: "Top-p" },
  max_new_tokens: { min: 1, max: 1024, step: 1, label: "Max new tokens" },
  seed: { min: 0, max: 2 ** 31, step: 1, label: "Seed" },
};

/** One side's answer: polled every 700 ms until it has finished. */
function Answer({ id, model }: { id: string; model: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.playground.get.queryOptions({ id }),
    refetchInterval: (query) => (query.state.data && (query.state.data.status === "succeeded" || query.state.data.status === "failed") ? false : 700),
  });
  const g = q.data;
  return (
    <div data-testid="playground-answer" data-model={model} data-status={g?.status ?? "loading"} className="space-y-2">
      {q.error && <ErrorBanner error={q.error} />}
      {g?.status === "failed" && <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{g.error}</p>}
      {g && (g.status === "queued" || g.status === "running") && (
        <p className="text-sm text-slate-500">{g.status === "queued" ? "Waiting for the worker ('npm start' runs one; or 'npx rlhf worker')…" : "Generating…"}</p>
      )}
      {g?.outputs?.map((text, i) => (
        <pre key={i} data-testid="playground-output" className="whitespace-pre-wrap break-words rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-sans text-sm text-slate-900">
          {text}
        </pre>
      ))}
    </div>
  );
}

export function PlaygroundPage() {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
  const policies = models.data?.filter((m) => m.kind === "policy") ?? [];
  const [left, setLeft] = useState("");
  const [right, setRight] = useState("");
  const [prompt, setPrompt] = useState("");
  const [controls, setControls] = useState<Controls>(DEFAULTS);
  const [answers, setAnswers] = useState<{ id: string; model: string }[]>([]);
  const generate = useMutation(trpc.playground.generate.mutationOptions());
  const chosenLeft = left || policies[0]?.name || "";
  const label = (m: (typeof policies)[number]) => ({ value: m.name, label: m.endpoint ? `${m.name} (endpoint: ${m.endpoint.model})` : m.name });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const chosen = [chosenLeft, right].filter(Boolean);
    setAnswers([]);
    const made = [];
    for (const model of chosen) made.push({ id: (await generate.mutateAsync({ model, prompt, params: controls })).id, model });
    setAnswers(made);
  }

  return (
    <div className="space-y-4">
      <Card title="Prompt">
        <form onSubmit={(e) => void submit(e)} className="space-y-3" aria-label="Playground">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Model" htmlFor="pg-left">
              <Select id="pg-left" value={chosenLeft} onChange={setLeft} options={policies.map(label)} disabled={!policies.length} />
            </Field>
            <Field label="Compare with (optional)" htmlFor="pg-right">
              <Select id="pg-right" value={right} onChange={setRight} options={[{ value: "", label: "— none —" }, ...policies.map(label)]} disabled={!policies.length} />
            </Field>
          </div>
          <textarea
            aria-label="Prompt text"
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            rows={4}
            placeholder="Write a prompt…"
            className={`${inputClass} whitespace-pre-wrap`}
          />
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
            {(Object.keys(LIMITS) as (keyof Controls)[]).map((key) => (
              <Field key={key} label={LIMITS[key].label} htmlFor={`pg-${key}`}>
                <input
                  id={`pg-${key}`}
                  type="number"
                  min={LIMITS[key].min}
                  max={LIMITS[key].max}
                  step={LIMITS[key].step}
                  value={controls[key]}
                  onChange={(e) => setControls((c) => ({ ...c, [key]: Number(e.target.value) }))}
                  className={inputClass}
                />
              </Field>
            ))}
          </div>
          <ErrorBanner error={generate.error} />
          <Button type="submit" disabled={generate.isPending || !chosenLeft || !prompt.trim()}>
            {generate.isPending ? "Sending…" : right ? "Generate both" : "Generate"}
          </Button>
        </form>
      </Card>
      {answers.length > 0 && (
        <div className={`grid gap-4 ${answers.length > 1 ? "md:grid-cols-2" : ""}`}>
          {answers.map((a) => (
            <Card key={a.id} title={a.model}>
              <Answer id={a.id} model={a.model} />
            </Card>
          ))}
        </div>
      )}
    </div>
  );
}
