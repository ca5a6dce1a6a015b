"use client";
// The "New run" form: kind, base (and, for kinds that need one, reward) model, output name, and the kind's settings
// rendered from the trainer's config schema. Unchanged settings keep their library defaults; the server checks the
// rest with the same run-creation service as `rlhf train`, so a bad value is refused before anything is queued.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { RUN_KIND_DESCRIPTORS, RUN_KINDS, runConfigFields, type RunKind } from "~/server/services/run-kinds/index";
import { ConfigFields } from "./ConfigFields";
import { changedKeys, configFromValues, defaultValues, type ConfigValues } from "./config-values";

export interface RunPrefill {
  kind?: RunKind;
  base?: string;
  reward?: string;
}

export function NewRunForm({ prefill, basePath }: { prefill: RunPrefill; basePath: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const models = useQuery(trpc.models.list.queryOptions());
  const [kind, setKind] = useState<RunKind>(prefill.kind ?? (prefill.reward ? "ppo" : "sft"));
  const [base, setBase] = useState(prefill.base ?? "");
  const [reward, setReward] = useState(prefill.reward ?? "");
  const [name, setName] = useState("");
  const fields = useMemo(() => runConfigFields(kind), [kind]);
  const [values, setValues] = useState<ConfigValues>(() => defaultValues(fields));
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

  const descriptor = RUN_KIND_DESCRIPTORS[kind];
  const policies = models.data?.filter((m) => m.kind === "policy") ?? [];
  const rewards = models.data?.filter((m) => m.kind === "reward") ?? [];
  const chosenBase = base || policies[0]?.name || "";
  const chosenReward = reward || rewards[0]?.name || "";
  const changed = new Set(changedKeys(fields, values));

  function changeKind(next: RunKind) {
    // Settings with the same key carry over (a changed learning_rate stays changed); the rest start at defaults.
    const nextFields = runConfigFields(next);
    setValues((old) => ({ ...defaultValues(nextFields), ...Object.fromEntries(changedKeys(fields, old).filter((k) => nextFields.some((f) => f.key === k)).map((k) => [k, old[k]!])) }));
    setKind(next);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setQueued(null);
    const parsed = configFromValues(fields, values);
    setLocalError("error" in parsed ? parsed.error : null);
    if ("error" in parsed) return;
    create.mutate({
      kind,
      baseModel: chosenBase,
      rewardModel: descriptor.needsReward ? chosenReward || undefined : undefined,
      name: name.trim() || undefined,
      config: parsed.config,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="New run">
      <Field label="Kind" htmlFor="run-kind">
        <Select id="run-kind" value={kind} onChange={(v) => changeKind(v as RunKind)} options={RUN_KINDS.map((k) => ({ value: k, label: RUN_KIND_DESCRIPTORS[k].label }))} />
      </Field>
      <Field label="Base model" htmlFor="run-base" hint={models.data && !policies.length ? "No policy models yet: 'npx rlhf models list' registers the built-in 'base' model; 'rlhf models import-hf DIR --name N' imports a GPT-2." : undefined}>
        <Select id="run-base" value={chosenBase} onChange={setBase} options={policies.map((m) => m.name)} disabled={!policies.length} />
      </Field>
      {descriptor.needsReward && (
        <Field label="Reward model" htmlFor="run-reward" hint={models.data && !rewards.length ? "No reward models yet: train one with a reward run first." : undefined}>
          <Select id="run-reward" value={chosenReward} onChange={setReward} options={rewards.map((m) => m.name)} disabled={!rewards.length} />
        </Field>
      )}
      {/* A kind that makes no model (score) has no output to name. */}
      {descriptor.outputKind && (
        <Field label="Output model name" htmlFor="run-name" hint="Letters, digits, '.', '_' or '-'. Leave empty for a default.">
          <input id="run-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={chosenBase ? `${chosenBase}-${kind}` : ""} className={inputClass} />
        </Field>
      )}
      <details className="rounded-md border border-slate-200 px-2 py-1" data-testid="run-settings">
        <summary className="cursor-pointer select-none py-1 text-sm font-medium text-slate-700">
          Settings{" "}
          <span className="font-normal text-slate-500">
            ({changed.size ? `${changed.size} changed` : "library defaults"}, {fields.length} keys)
          </span>
        </summary>
        <div className="max-h-[26rem] overflow-y-auto pr-1">
          <ConfigFields fields={fields} values={values} changed={changed} onChange={(key, value) => setValues((old) => ({ ...old, [key]: value }))} />
        </div>
      </details>
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
