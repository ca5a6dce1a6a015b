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
  promptsByIds, promptsForSampling, promptsSampledByRun, resolvePolicies, splitK, storeSampleBatch,
  type PromptToSample, type SamplePolicy, type SampledPrompt, type SampledText,
} from "../../server/services/sampling";
import { isCancellation, RunInputError } from "../runs/errors";
import type { RunContext, RunOutput } from "../runs/types";

/** K samples for each of a batch's prompts (`index`: the prompt's place in the run, which seeds it). */
type LocalSampler = (items: { prompt: string; index: number }[], k: number) => Promise<{ text: string; logprobSum: number; params: Record<string, unknown> }[][]>;

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
async function localSamplers(ctx: RunContext<SampleConfig>, policies: SamplePolicy[]): Promise<{ samplers: Map<string, LocalSampler>; dispose: () => Promise<void> }> {
  const local = policies.filter((p): p is Extract<SamplePolicy, { source: "local" }> => p.source === "local");
  const samplers = new Map<string, LocalSampler>();
  if (local.length === 0) return { samplers, dispose: async () => {} };
  const [{ initBackend }, { loadPolicy }, { storedSamplingParams }, { DataParallel }] = await Promise.all([
    import("../backend/index"),
    import("../rl/models"),
    import("../runs/sample"),
    import("../model/data-parallel"),
  ]);
  const backend = await initBackend();
  ctx.log(`tfjs backend: ${backend}`);
  const task = { module: new URL("../runs/sample.ts", import.meta.url).href, name: "samplePromptsTask" };
  const closers: Array<() => Promise<void> | void> = [];
  for (const p of local) {
    const policy = await loadPolicy(p.input as ModelInput);
    // Each policy's prompts are split across one thread per core (RLHF_WORKERS), each with its own replica.
    const dp = await DataParallel.start({ replicas: [{ gpt: policy.model }], backend, log: (l) => ctx.log(`policy '${p.name}': ${l}`) });
    closers.push(() => dp.close(), () => policy.model.dispose());
    const c = ctx.config;
    samplers.set(p.name, async (items, k) => {
      const params = { k, maxNewTokens: c.max_new_tokens, temperature: c.temperature, topK: c.top_k, topP: c.top_p, seed: c.seed };
      let out: Awaited<ReturnType<typeof import("../runs/sample").samplePrompts>>;
      try {
        out = await dp.split(items, task, (part) => ({ tokenizer: policy.tokenizerName, items: part, params }));
      } catch (err) {
        throw new RunInputError(`policy '${p.name}': ${(err as Error).message}`);
      }
      return out.map((o) => o.completions.map((s) => ({ text: s.text, logprobSum: s.logprobSum, params: { ...storedSamplingParams(params, o.maxNewTokens), finished: s.finished } })));
    });
  }
  const dispose = async () => {
    for (const close of closers) await close();
  };
  return { samplers, dispose };
}

export async function runSampling(ctx: RunContext<SampleConfig>): Promise<RunOutput> {
  const c = ctx.config;
  const stored = ctx.run.config;
  const promptsFile = stored[RESERVED_CONFIG_KEYS.promptsFile] as string | undefined;
  const outFile = stored[RESERVED_CONFIG_KEYS.outFile] as string | undefined;
  const policies = await resolvePolicies(ctx.db, c.policies);
  const shares = splitK(c.k, policies.length);
  const projectId = await projectScope(ctx.db, c.project);
  if (c.open_tasks && !projectId) throw new RunInputError("a sample run that opens ranking tasks needs a project");
  // The prompt set is fixed when the run first starts: a resumed run must not pick other prompts ('unranked' shrinks
  // as this run opens tasks, and new prompts may have arrived), so the first start writes the ids down.
  const frozen = path.join(ctx.scratchDir, "sample-prompts.json");
  let prompts: PromptToSample[];
  if (promptsFile) prompts = promptsFromFile(promptsFile);
  else if (fs.existsSync(frozen)) prompts = await promptsByIds(ctx.db, JSON.parse(fs.readFileSync(frozen, "utf8")) as string[]);
  else {
    prompts = await promptsForSampling(ctx.db, projectId!, c.prompt_set, c.tag, c.max_prompts);
    fs.writeFileSync(frozen, JSON.stringify(prompts.map((p) => p.promptId)));
  }
  if (c.max_prompts > 0) prompts = prompts.slice(0, c.max_prompts);
  if (prompts.length === 0) throw new RunInputError("no prompts to sample");
  ctx.log(`sampling ${prompts.length} prompts × K=${c.k} from ${policies.map((p, i) => `${p.name} (${shares[i]})`).join(", ")}`);

  const { samplers, dispose } = await localSamplers(ctx, policies);
  // Prompts this run stored before a restart are skipped (looked up in chunks: SQLite caps bound variables).
  const storedIds = new Set<string>();
  const ids = prompts.flatMap((p) => (p.promptId ? [p.promptId] : []));
  for (let i = 0; i < ids.length; i += 500) for (const id of await promptsSampledByRun(ctx.db, ctx.runId, ids.slice(i, i + 500))) storedIds.add(id);
  const pending = prompts.map((prompt, index) => ({ prompt, index })).filter((b) => !b.prompt.promptId || !storedIds.has(b.prompt.promptId));
  const skipped = prompts.length - pending.length;
  // A resumed run appends to its file; a fresh one starts it empty.
  // A worker that resumes a CLI run may not see the CLI's folder any more: the samples are stored, so go on without it.
  const outUsable = !!outFile && fs.existsSync(path.dirname(outFile));
  if (outFile && !outUsable) ctx.log(`the samples file's folder ${path.dirname(outFile)} is gone; not writing ${outFile}`, "warn");
  const out = outUsable ? fs.openSync(outFile!, skipped > 0 ? "a" : "w") : null;
  const endpointParams = { temperature: c.temperature, topP: c.top_p, maxTokens: c.max_new_tokens, seed: c.seed };
  const callOpts = { timeoutMs: c.request_timeout_s * 1000, maxRetries: c.max_retries };
  let completionsMade = 0;
  let tasksOpened = 0;
  ctx.setProgressTotal(prompts.length, "prompt");
  const started = Date.now();

  // Requests flow through a sliding window (`concurrency` in flight, in prompt order); prompts are stored batch by
  // batch, each batch in one transaction once all its prompts are answered. No barrier per batch, so a slow request
  // holds back only its own batch's storing, not the requests behind it.
  const got: SampledText[][][] = pending.map(() => []);
  const left = pending.map(() => policies.length);
  let nextBatch = 0;
  const storeReadyBatches = async () => {
    while (nextBatch * c.batch_size < pending.length) {
      const lo = nextBatch * c.batch_size;
      const hi = Math.min(lo + c.batch_size, pending.length);
      for (let i = lo; i < hi; i++) if (left[i]! > 0) return;
      const sampled: SampledPrompt[] = pending.slice(lo, hi).map((b, j) => ({ prompt: b.prompt, completions: got[lo + j]!.flat() }));
      if (c.open_tasks) tasksOpened += (await storeSampleBatch(ctx.db, { runId: ctx.runId, projectId: projectId!, batch: sampled, openTasks: true })).tasksOpened;
      if (out !== null)
        for (const x of sampled)
          fs.writeSync(out, JSON.stringify({ prompt: x.prompt.text, completions: x.completions.map((y) => y.text), models: x.completions.map((y) => y.policy.name) }) + "\n");
      completionsMade += sampled.reduce((n, x) => n + x.completions.length, 0);
      for (let i = lo; i < hi; i++) got[i] = [];
      nextBatch++;
      // A file in the scratch folder marks the run resumable: a worker that stops re-queues it rather than failing
      // it, and the next one skips the prompts stored above.
      fs.writeFileSync(path.join(ctx.scratchDir, "sample-progress.json"), JSON.stringify({ prompts_done: skipped + hi }));
      const seconds = (Date.now() - started) / 1000;
      ctx.progress((skipped + hi) / prompts.length, { completions: completionsMade });
      ctx.reportMetrics(skipped + hi, { "sample/completions": completionsMade, "sample/completions_per_s": seconds > 0 ? completionsMade / seconds : 0 });
    }
  };
  // Endpoints: one request per prompt, `concurrency` in flight. Our models: one batch of prompts at a time each, in a
  // few batched forwards (tfjs runs on one thread, so a bigger forward is the speed-up; interleaving only costs memory).
  const jobs = pending.flatMap((b, pi) => policies.map((policy, qi) => ({ b, pi, qi, policy, k: shares[qi]! }))).filter((j) => j.policy.source === "endpoint");
  // The first failure cancels the other requests in flight: none keeps retrying after the run has failed.
  const abort = new AbortController();
  const sampleLocal = async (policy: SamplePolicy, qi: number) => {
    for (let lo = 0; lo < pending.length; lo += c.batch_size) {
      if (abort.signal.aborted) return;
      ctx.throwIfCancelled();
      const batch = pending.slice(lo, lo + c.batch_size);
      const made = await samplers.get(policy.name)!(batch.map((b) => ({ prompt: b.prompt.text, index: b.index })), shares[qi]!);
      made.forEach((texts, j) => {
        got[lo + j]![qi] = texts.map((m) => ({ text: m.text, policy, samplingParams: m.params, logprobSum: m.logprobSum }));
        left[lo + j]!--;
      });
      await storeReadyBatches();
    }
  };
  const localRuns = policies.flatMap((policy, qi) => (policy.source === "local" ? [sampleLocal(policy, qi)] : []));
  try {
    await Promise.all([
      ...localRuns,
      mapWithConcurrency(jobs, c.concurrency, async ({ b, pi, qi, policy, k }) => {
        ctx.throwIfCancelled();
        if (policy.source !== "endpoint") return;
        const texts = await sampleEndpoint(policy.name, policy.endpoint, b.prompt.messages?.length ? b.prompt.messages : b.prompt.text, { ...endpointParams, n: k }, { ...callOpts, signal: abort.signal });
        const params = { temperature: c.temperature, top_p: c.top_p, max_tokens: c.max_new_tokens, endpoint: policy.endpoint.baseUrl };
        got[pi]![qi] = texts.map((text) => ({ text, policy, samplingParams: params }));
        left[pi]!--;
        await storeReadyBatches();
      }),
    ]);
    ctx.throwIfCancelled();
  } catch (err) {
    abort.abort();
    if (isCancellation(err) || err instanceof RunInputError) throw err;
    throw new RunInputError((err as Error).message);
  } finally {
    if (out !== null) fs.closeSync(out);
    // A generation still running on a failed run must end before its model's tensors are freed.
    await Promise.allSettled(localRuns);
    await dispose();
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
