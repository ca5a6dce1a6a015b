"use client";
// The "New run" form: kind, project, base (and, for kinds that need one, reward) model or, for a sample run, the
// policies that share each prompt's K; output name, "then send samples for labeling", and the kind's settings
// rendered from the trainer's config schema. Unchanged settings keep their library defaults; the server checks the
// rest with the same run-creation service as `rlhf train`, so a bad value is refused before anything is queued.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { RUN_KIND_DESCRIPTORS, RUN_KINDS, runConfigFields, type RunKind } from "~/server/services/run-kinds/index";
import { PROMPT_SETS } from "~/server/services/run-kinds/sample-config";
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
  const projects = useQuery(trpc.projects.list.queryOptions());
  const [project, setProject] = useState("");
  const [chosenPolicies, setChosenPolicies] = useState<string[]>([]);
  const [followUp, setFollowUp] = useState(false);
  const [followK, setFollowK] = useState("4");
  const [followSet, setFollowSet] = useState<(typeof PROMPT_SETS)[number]>("unranked");
  const [kind, setKind] = useState<RunKind>(prefill.kind ?? (prefill.reward ? "ppo" : "sft"));
  const [base, setBase] = useState(prefill.base ?? "");
  const [reward, setReward] = useState(prefill.reward ?? "");
  const [name, setName] = useState("");
  // `project` and `policies` have their own pickers above the settings.
  const fields = useMemo(() => runConfigFields(kind).filter((f) => f.key !== "project" && f.key !== "policies"), [kind]);
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
  const allPolicies = models.data?.filter((m) => m.kind === "policy") ?? [];
  // Endpoints can be sampled but not trained: they are offered as sample policies only.
  const policies = allPolicies.filter((m) => m.source !== "endpoint");
  const projectNames = (projects.data ?? []).map((p) => p.name);
  const rewards = models.data?.filter((m) => m.kind === "reward") ?? [];
  const chosenBase = base || policies[0]?.name || "";
  const chosenReward = reward || rewards[0]?.name || "";
  const changed = new Set(changedKeys(fields, values));

  function changeKind(next: RunKind) {
    // Settings with the same key carry over (a changed learning_rate stays changed); the rest start at defaults.
    const nextFields = runConfigFields(next).filter((f) => f.key !== "project" && f.key !== "policies");
    setValues((old) => ({ ...defaultValues(nextFields), ...Object.fromEntries(changedKeys(fields, old).filter((k) => nextFields.some((f) => f.key === k)).map((k) => [k, old[k]!])) }));
    setKind(next);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setQueued(null);
    const parsed = configFromValues(fields, values);
    setLocalError("error" in parsed ? parsed.error : null);
    if ("error" in parsed) return;
    const config: Record<string, unknown> = { ...parsed.config, ...(project ? { project } : {}) };
    if (!descriptor.trains) config.policies = chosenPolicies.join(",");
    create.mutate({
      kind,
      baseModel: descriptor.trains ? chosenBase : undefined,
      rewardModel: descriptor.needsReward ? chosenReward || undefined : undefined,
      name: descriptor.trains ? name.trim() || undefined : undefined,
      config,
      followUp: descriptor.trains && descriptor.outputKind === "policy" && followUp ? { project, k: Number(followK), prompt_set: followSet } : undefined,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="New run">
      <Field label="Kind" htmlFor="run-kind">
        <Select id="run-kind" value={kind} onChange={(v) => changeKind(v as RunKind)} options={RUN_KINDS.map((k) => ({ value: k, label: RUN_KIND_DESCRIPTORS[k].label }))} />
      </Field>
      <Field label="Project" htmlFor="run-project" hint={descriptor.trains ? "The data the run reads. All projects pools every project's data." : "Its prompts are sampled and its ranking tasks open here, and only here."}>
        <Select
          id="run-project"
          value={project}
          onChange={setProject}
          options={[{ value: "", label: descriptor.trains ? "All projects" : "— pick a project —" }, ...projectNames]}
        />
      </Field>
      {descriptor.trains ? (
        <Field label="Base model" htmlFor="run-base" hint={models.data && !policies.length ? "No policy models yet: 'npx rlhf models list' registers the built-in 'base' model; 'rlhf models import-hf DIR --name N' imports a GPT-2." : undefined}>
          <Select id="run-base" value={chosenBase} onChange={setBase} options={policies.map((m) => m.name)} disabled={!policies.length} />
        </Field>
      ) : (
        <fieldset className="space-y-1" data-testid="sample-policies">
          <legend className="text-sm font-medium text-slate-700">Policies (they share each prompt&apos;s K, shown blind)</legend>
          {allPolicies.map((m) => (
            <label key={m.id} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                value={m.name}
                checked={chosenPolicies.includes(m.name)}
                onChange={(e) => setChosenPolicies((old) => (e.target.checked ? [...old, m.name] : old.filter((x) => x !== m.name)))}
              />
              {m.name}
              {m.endpoint && <span className="text-xs text-slate-500">endpoint: {m.endpoint.model}</span>}
            </label>
          ))}
        </fieldset>
      )}
      {descriptor.needsReward && (
        <Field label="Reward model" htmlFor="run-reward" hint={models.data && !rewards.length ? "No reward models yet: train one with a reward run first." : undefined}>
          <Select id="run-reward" value={chosenReward} onChange={setReward} options={rewards.map((m) => m.name)} disabled={!rewards.length} />
        </Field>
      )}
      {/* A kind that makes no model (score) has no output to name. */}
      {descriptor.trains && descriptor.outputKind && (
        <Field label="Output model name" htmlFor="run-name" hint="Letters, digits, '.', '_' or '-'. Leave empty for a default.">
          <input id="run-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={chosenBase ? `${chosenBase}-${kind}` : ""} className={inputClass} />
        </Field>
      )}
      {descriptor.trains && descriptor.outputKind === "policy" && (
        <div className="space-y-2 rounded-md border border-slate-200 px-2 py-2">
          <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
            <input type="checkbox" checked={followUp} onChange={(e) => setFollowUp(e.target.checked)} data-testid="follow-up" />
            Then send samples for labeling
          </label>
          {followUp && (
            <div className="grid grid-cols-2 gap-2">
              <Field label="K per prompt" htmlFor="follow-k">
                <input id="follow-k" type="number" min={2} max={16} value={followK} onChange={(e) => setFollowK(e.target.value)} className={inputClass} />
              </Field>
              <Field label="Prompts" htmlFor="follow-set">
                <Select id="follow-set" value={followSet} onChange={(v) => setFollowSet(v as (typeof PROMPT_SETS)[number])} options={PROMPT_SETS.filter((s) => s !== "tag")} />
              </Field>
              <p className="col-span-2 text-xs text-slate-500">When the run succeeds, its policy samples the project above into ranking tasks.</p>
            </div>
          )}
        </div>
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
      <Button type="submit" className="w-full" disabled={create.isPending || (descriptor.trains ? !chosenBase : !chosenPolicies.length || !project)}>
        {create.isPending ? "Queuing…" : "Start run"}
      </Button>
    </form>
  );
}
