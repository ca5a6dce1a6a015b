"use client";
// "Add an endpoint": registers a policy served behind an OpenAI-compatible API (vLLM, TGI, Ollama, llama.cpp, a hosted
// API). The API key is never typed here: the form takes the NAME of the server's environment variable that holds it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Card, Field, inputClass, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

export function AddEndpointForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [model, setModel] = useState("");
  const [apiKeyEnv, setApiKeyEnv] = useState("");
  const [api, setApi] = useState<"chat" | "completions">("chat");
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation(
    trpc.models.addEndpoint.mutationOptions({
      onSuccess: async (row) => {
        setAdded(row.name);
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() });
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    add.mutate({ name, baseUrl, model, apiKeyEnv: apiKeyEnv || undefined, api });
  }

  return (
    <Card title="Add an endpoint policy">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" aria-label="Add endpoint">
        <Field label="Name" htmlFor="ep-name" hint="How this registry calls it.">
          <input id="ep-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="vllm-llama" className={inputClass} />
        </Field>
        <Field label="Base URL" htmlFor="ep-url" hint="The server's OpenAI-compatible root; /v1 is added when missing.">
          <input id="ep-url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://localhost:8000/v1" className={inputClass} />
        </Field>
        <Field label="Model id" htmlFor="ep-model" hint="What the server calls the model.">
          <input id="ep-model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="meta-llama/Llama-3.1-8B-Instruct" className={inputClass} />
        </Field>
        <Field label="API key variable (optional)" htmlFor="ep-key" hint="The name of an environment variable on the server, e.g. OPENAI_API_KEY; never the key.">
          <input id="ep-key" value={apiKeyEnv} onChange={(e) => setApiKeyEnv(e.target.value)} placeholder="OPENAI_API_KEY" className={inputClass} />
        </Field>
        <Field label="API" htmlFor="ep-api">
          <Select id="ep-api" value={api} onChange={(v) => setApi(v as "chat" | "completions")} options={[{ value: "chat", label: "/v1/chat/completions" }, { value: "completions", label: "/v1/completions" }]} />
        </Field>
        <div className="flex items-end">
          <Button type="submit" disabled={add.isPending || !name || !baseUrl || !model}>
            {add.isPending ? "Adding…" : "Add endpoint"}
          </Button>
        </div>
        <div className="sm:col-span-2">
          <ErrorBanner error={add.error} />
          {added && <p role="status" className="text-sm text-emerald-700">Registered &apos;{added}&apos;: it can now be sampled in sample runs and the playground.</p>}
        </div>
      </form>
    </Card>
  );
}
