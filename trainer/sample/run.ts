// A sample run: the project's prompts (or a CLI prompt file) go to one or several policies that share each prompt's
// K (checkpoints of ours sampled here, endpoints through the `openai` client with bounded concurrency), batch by
// batch; each batch's completions and ranking tasks are stored in one transaction, and a resumed run skips what it
// stored. `rlhf sample`, the web form and "then send samples for labeling" all come here through the run framework.
import fs from "node:fs";
import path from "node:path";
import type { ModelInput } from "../../server/services/model-inputs";
import { mapWithConcurrency, sampleEndpoint } from "../../server/services/endpoint-sampling";
import { jsonlLines } from "../../server/services/jsonl";
import { projectScope, RESERVED_CONFIG_KEYS } from "../../server/services/run-creation";
import type { SampleConfig } from "../../server/services/run-kinds/sample-config";
import {
  promptsForSampling, promptsSampledByRun, resolvePolicies, splitK, storeSampleBatch,
  type PromptToSample, type SamplePolicy, type SampledPrompt, type SampledText,
} from "../../server/services/sampling";
import { RunInputError } from "../runs/errors";
import type { RunContext, RunOutput } from "../runs/types";

type LocalSampler = (prompt: string, index: number, k: number) => Promise<{ text: string; logprobSum: number; params: Record<string, unknown> }[]>;

function promptsFromFile(file: string): PromptToSample[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new RunInputError(`cannot read the prompt file ${file}: ${(err as Error).message}`);
  }
  return jsonlLines(text).map((entry) => {
    if ("error" in entry) throw new RunInputError(`${file}:${entry.line}: ${entry.error}`);
    const prompt = entry.value.prompt;
    if (typeof prompt !== "string" || !prompt.trim()) throw new RunInputError(`${file}:${entry.line}: no "prompt" string`);
    return { text: prompt };
  });
}

/** Loads our checkpoints (tfjs only when a policy needs it) and returns a sampler per local policy. */
async function localSamplers(ctx: RunContext<SampleConfig>, policies: SamplePolicy[]): Promise<{ samplers: Map<string, LocalSampler>; dispose: () => void }> {
  const local = policies.filter((p): p is Extract<SamplePolicy, { source: "local" }> => p.source === "local");
  const samplers = new Map<string, LocalSampler>();
  if (local.length === 0) return { samplers, dispose: () => {} };
  const [{ initBackend }, { loadPolicy }, { samplePrompt, storedSamplingParams }] = await Promise.all([
    import("../backend/index"),
    import("../rl/models"),
    import("../runs/sample"),
  ]);
  ctx.log(`tfjs backend: ${await initBackend()}`);
  const loaded: { dispose(): void }[] = [];
  for (const p of local) {
    const policy = await loadPolicy(p.input as ModelInput);
    loaded.push(policy.model);
    const c = ctx.config;
    samplers.set(p.name, async (prompt, index, k) => {
      const params = { k, maxNewTokens: c.max_new_tokens, temperature: c.temperature, topK: c.top_k, topP: c.top_p, seed: c.seed };
      let out;
      try {
        out = await samplePrompt(policy.model, policy.tokenizer, prompt, index, params);
      } catch (err) {
        throw new RunInputError(`policy '${p.name}': ${(err as Error).message}`);
      }
      return out.completions.map((s) => ({ text: s.text, logprobSum: s.logprobSum, params: { ...storedSamplingParams(params, out.maxNewTokens), finished: s.finished } }));
    });
  }
  return { samplers, dispose: () => loaded.forEach((m) => m.dispose()) };
}

export async function runSampling(ctx: RunContext<SampleConfig>): Promise<RunOutput> {
  const c = ctx.config;
  const stored = ctx.run.config;
  const promptsFile = stored[RESERVED_CONFIG_KEYS.promptsFile] as string | undefined;
  const outFile = stored[RESERVED_CONFIG_KEYS.outFile] as string | undefined;
  const policies = resolvePolicies(ctx.db, c.policies);
  const shares = splitK(c.k, policies.length);
  const projectId = projectScope(ctx.db, c.project);
  if (c.open_tasks && !projectId) throw new RunInputError("a sample run that opens ranking tasks needs a project");
  let prompts = promptsFile ? promptsFromFile(promptsFile) : promptsForSampling(ctx.db, projectId!, c.prompt_set, c.tag, c.max_prompts);
  if (c.max_prompts > 0) prompts = prompts.slice(0, c.max_prompts);
  if (prompts.length === 0) throw new RunInputError("no prompts to sample");
  ctx.log(`sampling ${prompts.length} prompts × K=${c.k} from ${policies.map((p, i) => `${p.name} (${shares[i]})`).join(", ")}`);

  const { samplers, dispose } = await localSamplers(ctx, policies);
  // A resumed run appends to its file; a fresh one starts it empty.
  const resumed = promptsSampledByRun(ctx.db, ctx.runId, prompts.flatMap((p) => (p.promptId ? [p.promptId] : []))).size > 0;
  // A worker that resumes a CLI run may not see the CLI's folder any more: the samples are stored, so go on without it.
  const outUsable = !!outFile && fs.existsSync(path.dirname(outFile));
  if (outFile && !outUsable) ctx.log(`the samples file's folder ${path.dirname(outFile)} is gone; not writing ${outFile}`, "warn");
  const out = outUsable ? fs.openSync(outFile!, resumed ? "a" : "w") : null;
  const endpointParams = { temperature: c.temperature, topP: c.top_p, maxTokens: c.max_new_tokens, seed: c.seed };
  const callOpts = { timeoutMs: c.request_timeout_s * 1000, maxRetries: c.max_retries };
  let completionsMade = 0;
  let tasksOpened = 0;
  let skipped = 0;
  ctx.setProgressTotal(prompts.length, "prompt");
  const started = Date.now();
  try {
    for (let start = 0; start < prompts.length; start += c.batch_size) {
      ctx.throwIfCancelled();
      let batch = prompts.slice(start, start + c.batch_size).map((prompt, j) => ({ prompt, index: start + j }));
      const done = promptsSampledByRun(ctx.db, ctx.runId, batch.flatMap((b) => (b.prompt.promptId ? [b.prompt.promptId] : [])));
      skipped += done.size;
      batch = batch.filter((b) => !b.prompt.promptId || !done.has(b.prompt.promptId));

      // Every (prompt, policy) request of the batch; endpoint calls run concurrently, our models one at a time.
      const jobs = batch.flatMap((b) => policies.map((policy, pi) => ({ b, policy, k: shares[pi]! })));
      // The first failure cancels the batch's other requests: none keeps retrying after the run has failed.
      const abort = new AbortController();
      const results = await mapWithConcurrency(jobs, c.concurrency, async ({ b, policy, k }): Promise<SampledText[]> => {
        if (policy.source === "endpoint") {
          const texts = await sampleEndpoint(policy.name, policy.endpoint, b.prompt.messages?.length ? b.prompt.messages : b.prompt.text, { ...endpointParams, n: k }, { ...callOpts, signal: abort.signal });
          const params = { temperature: c.temperature, top_p: c.top_p, max_tokens: c.max_new_tokens, endpoint: policy.endpoint.baseUrl };
          return texts.map((text) => ({ text, policy, samplingParams: params }));
        }
        const made = await samplers.get(policy.name)!(b.prompt.text, b.index, k);
        return made.map((m) => ({ text: m.text, policy, samplingParams: m.params, logprobSum: m.logprobSum }));
      }).catch((err: unknown) => {
        abort.abort();
        throw new RunInputError((err as Error).message);
      });
      ctx.throwIfCancelled();
      const sampled: SampledPrompt[] = batch.map((b, bi) => ({ prompt: b.prompt, completions: results.slice(bi * policies.length, (bi + 1) * policies.length).flat() }));
      if (c.open_tasks) {
        const r = storeSampleBatch(ctx.db, { runId: ctx.runId, projectId: projectId!, batch: sampled, openTasks: true });
        tasksOpened += r.tasksOpened;
      }
      if (out !== null)
        for (const s of sampled)
          fs.writeSync(out, JSON.stringify({ prompt: s.prompt.text, completions: s.completions.map((x) => x.text), models: s.completions.map((x) => x.policy.name) }) + "\n");
      completionsMade += sampled.reduce((n, s) => n + s.completions.length, 0);
      // A file in the scratch folder marks the run resumable: a worker that stops re-queues it rather than failing it,
      // and the next one skips the prompts stored above.
      fs.writeFileSync(path.join(ctx.scratchDir, "sample-progress.json"), JSON.stringify({ prompts_done: Math.min(prompts.length, start + c.batch_size) }));
      const doneCount = Math.min(prompts.length, start + c.batch_size);
      const seconds = (Date.now() - started) / 1000;
      ctx.progress(doneCount / prompts.length, { completions: completionsMade });
      ctx.reportMetrics(doneCount, { "sample/completions": completionsMade, "sample/completions_per_s": seconds > 0 ? completionsMade / seconds : 0 });
    }
  } finally {
    if (out !== null) fs.closeSync(out);
    dispose();
  }
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`stored ${c.open_tasks ? completionsMade : 0} completions, opened ${tasksOpened} ranking tasks${skipped ? `, skipped ${skipped} prompts stored before a restart` : ""}`);
  return {
    metrics: {
      prompts: prompts.length,
      completions: completionsMade,
      stored: c.open_tasks ? completionsMade : 0,
      tasks_opened: tasksOpened,
      skipped_prompts: skipped,
      completions_per_s: seconds > 0 ? completionsMade / seconds : null,
    },
  };
}
