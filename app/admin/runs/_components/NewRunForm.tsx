"use client";
// The "New run" form: kind, base (and for PPO reward) model, output name and a JSON config pre-filled per kind.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { CONFIG_KEYS, DEFAULT_CONFIGS, KIND_LABELS, RUN_KINDS, type WebRunKind } from "../run-kinds";

export interface RunPrefill {
  kind?: WebRunKind;
  base?: string;
  reward?: string;
}

const pretty = (kind: WebRunKind) => JSON.stringify(DEFAULT_CONFIGS[kind], null, 2);

/** The config text as an object, or a sentence saying what is wrong with it. */
function parseConfig(text: string): { config?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return { config: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== "object" || Array.isArray(value)) return { error: 'Config must be a JSON object, like {"max_steps": 50}.' };
    return { config: value as Record<string, unknown> };
  } catch (err) {
    return { error: `Config is not valid JSON: ${(err as Error).message}` };
  }
}

export function NewRunForm({ prefill, basePath }: { prefill: RunPrefill; basePath: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const models = useQuery(trpc.models.list.queryOptions());
  const [kind, setKind] = useState<WebRunKind>(prefill.kind ?? (prefill.reward ? "ppo" : "sft"));
  const [base, setBase] = useState(prefill.base ?? "");
  const [reward, setReward] = useState(prefill.reward ?? "");
  const [name, setName] = useState("");
  const [configText, setConfigText] = useState(pretty(kind));
  const [localError, setLocalError] = useState<string | null>(null);
  const [queued, setQueued] = useState<{ id: string; name: string | null } | null>(null);
  const create = useMutation(
    trpc.runs.create.mutationOptions({
      onSuccess: async (run) => {
        setQueued({ id: run.id, name: run.name });
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
      },
    }),
  );

  const policies = models.data?.filter((m) => m.kind === "policy") ?? [];
  const rewards = models.data?.filter((m) => m.kind === "reward") ?? [];
  const chosenBase = base || policies[0]?.name || "";
  const chosenReward = reward || rewards[0]?.name || "";

  function changeKind(next: WebRunKind) {
    // Swap the example config only when the user has not edited it.
    if (configText.trim() === pretty(kind) || !configText.trim()) setConfigText(pretty(next));
    setKind(next);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setQueued(null);
    const parsed = parseConfig(configText);
    setLocalError(parsed.error ?? null);
    if (!parsed.config) return;
    create.mutate({
      kind,
      baseModel: chosenBase,
      rewardModel: kind === "ppo" ? chosenReward || undefined : undefined,
      name: name.trim() || undefined,
      config: parsed.config,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="New run">
      <Field label="Kind" htmlFor="run-kind">
        <Select id="run-kind" value={kind} onChange={(v) => changeKind(v as WebRunKind)} options={RUN_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} />
      </Field>
      <Field label="Base model" htmlFor="run-base" hint={models.data && !policies.length ? "No policy models yet: 'npm run rlhf -- models list' registers the built-in 'base' model; 'rlhf models import-hf DIR --name N' imports a GPT-2." : undefined}>
        <Select id="run-base" value={chosenBase} onChange={setBase} options={policies.map((m) => m.name)} disabled={!policies.length} />
      </Field>
      {kind === "ppo" && (
        <Field label="Reward model" htmlFor="run-reward" hint={models.data && !rewards.length ? "No reward models yet: train one with a reward run first." : undefined}>
          <Select id="run-reward" value={chosenReward} onChange={setReward} options={rewards.map((m) => m.name)} disabled={!rewards.length} />
        </Field>
      )}
      <Field label="Output model name" htmlFor="run-name" hint="Letters, digits, '.', '_' or '-'. Leave empty for a default.">
        <input id="run-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={chosenBase ? `${chosenBase}-${kind}` : ""} className={inputClass} />
      </Field>
      <Field
        label="Config (JSON)"
        htmlFor="run-config"
        hint={
          <details>
            <summary className="cursor-pointer select-none">Which keys can I set?</summary>
            <p className="mt-1 font-mono text-[11px] leading-relaxed text-slate-600">{CONFIG_KEYS[kind].join(", ")}</p>
            <p className="mt-1">Unset keys keep their defaults; an unknown key or bad value fails the run with a one-line error.</p>
          </details>
        }
      >
        <textarea
          id="run-config"
          rows={7}
          spellCheck={false}
          value={configText}
          onChange={(e) => setConfigText(e.target.value)}
          className={`${inputClass} font-mono text-xs`}
        />
      </Field>
      <ErrorBanner error={localError ?? create.error} />
      {queued && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Queued{" "}
          <Link href={`${basePath}/runs/${queued.id}`} className="font-medium underline">
            {queued.name ?? "the run"}
          </Link>
          ; the worker picks it up in a few seconds.
        </div>
      )}
      <Button type="submit" className="w-full" disabled={create.isPending || !chosenBase}>
        {create.isPending ? "Queuing…" : "Start run"}
      </Button>
    </form>
  );
}
