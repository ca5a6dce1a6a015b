// The database side of a sample run (no TensorFlow.js): the policies it names (checkpoints of ours or endpoints),
// which prompts it takes, how a prompt's K is split among the policies, storing one batch of completions with their
// ranking tasks in one transaction (skipping prompts a resumed run already stored), and a run's samples for its page.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { insertOrder, jsonArrayHas, jsonText } from "../../db/sql-fragments";
import { completions, prompts, tasks, type ModelEndpoint } from "../../db/schema";
import { endpointOf } from "./endpoints";
import { badRequest } from "./errors";
import { resolveModelInput, type ModelInput } from "./model-inputs";
import { findModel } from "./models";
import { insertPromptIfNew } from "./prompts";
import type { PromptSet } from "./run-kinds/sample-config";
import { openRankTask } from "./task-queue";
import { storable } from "./text-limits";
import { mapInOrder } from "./async-iter";

/** A policy a sample run draws from: a checkpoint of ours, or an endpoint. */
export type SamplePolicy =
  | { source: "local"; name: string; modelId: string | null; input: ModelInput }
  | { source: "endpoint"; name: string; modelId: string; endpoint: ModelEndpoint };

/** The names in a `policies` value ("a, b,c"), each once, in order. */
export function policyNames(value: string): string[] {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw badRequest(`policy '${dup}' is named twice; each policy is listed once (the K is split among them)`);
  return names;
}

/**
 * Resolves each named policy: an endpoint model, or a policy checkpoint (registered, or from the CLI a directory).
 * Checks are cheap (no weights loaded), so a bad name fails before the run exists.
 */
export async function resolvePolicies(db: Db, value: string, opts: { registeredOnly?: boolean } = {}): Promise<SamplePolicy[]> {
  const names = policyNames(value);
  if (names.length === 0) throw badRequest("a sample run needs at least one policy: name them in 'policies' (e.g. \"my-sft,vllm-llama\")");
  return await mapInOrder(names, async (name): Promise<SamplePolicy> => {
    const row = await findModel(db, name);
    const endpoint = row ? endpointOf(row) : null;
    if (row && endpoint) return { source: "endpoint", name: row.name, modelId: row.id, endpoint };
    const input = await resolveModelInput(db, name, { flag: "policy", kind: "policy", registeredOnly: opts.registeredOnly });
    return { source: "local", name: input.row?.name ?? input.label, modelId: input.row?.id ?? null, input };
  });
}

/** How many of a prompt's K completions each policy writes: as even as possible, the first ones take the remainder. */
export function splitK(k: number, policies: number): number[] {
  if (policies < 1) throw badRequest("a sample run needs at least one policy");
  if (k < policies) throw badRequest(`k = ${k} cannot give each of the ${policies} policies a completion; raise k to at least ${policies}`);
  return Array.from({ length: policies }, (_, i) => Math.floor(k / policies) + (i < k % policies ? 1 : 0));
}

export interface PromptToSample {
  /** Set for prompts already in the database; file prompts get theirs when their batch is stored. */
  promptId?: string;
  text: string;
  /** A chat prompt's turns; endpoints get the whole conversation, our models its last user turn (`text`). */
  messages?: { role: string; content: string }[] | null;
}

/** The project's prompts of a prompt set, in import order (insertOrder), so batches and seeds repeat. */
export async function promptsForSampling(db: Db, projectId: string, set: PromptSet, tag = "", limit = 0): Promise<PromptToSample[]> {
  if (set === "tag" && !tag.trim()) throw badRequest("prompt_set 'tag' needs a tag: set 'tag' to the tag to sample");
  const where = [eq(prompts.projectId, projectId)];
  if (set === "train" || set === "test") where.push(eq(prompts.split, set));
  if (set === "tag") where.push(jsonArrayHas(prompts.tags, tag.trim()));
  if (set === "unranked") where.push(sql`not exists (select 1 from tasks t where t.prompt_id = ${prompts.id} and t.kind = 'rank')`);
  const q = db.select({ promptId: prompts.id, text: prompts.text, messages: prompts.messages }).from(prompts).where(and(...where)).orderBy(insertOrder(prompts));
  return await (limit > 0 ? q.limit(limit) : q);
}

/** Prompts by id, in the order given (ids no longer in the database are left out). */
export async function promptsByIds(db: Db, ids: string[]): Promise<PromptToSample[]> {
  const found = new Map<string, PromptToSample>();
  for (let i = 0; i < ids.length; i += 500)
    for (const p of await db.select({ promptId: prompts.id, text: prompts.text, messages: prompts.messages }).from(prompts).where(inArray(prompts.id, ids.slice(i, i + 500))))
      found.set(p.promptId, p);
  return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
}

export interface SampledText {
  text: string;
  policy: SamplePolicy;
  samplingParams: Record<string, unknown>;
  logprobSum?: number | null;
}

export interface SampledPrompt {
  prompt: PromptToSample;
  completions: SampledText[];
}

/** The prompts (by id) that this run already stored completions for: a resumed run skips them. */
export async function promptsSampledByRun(db: Db, runId: string, promptIds: string[]): Promise<Set<string>> {
  if (promptIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ promptId: completions.promptId })
    .from(completions)
    .where(and(inArray(completions.promptId, promptIds), eq(jsonText(completions.samplingParams, "run_id"), runId)));
  return new Set(rows.map((r) => r.promptId));
}

/**
 * Stores one batch in ONE transaction: file prompts (new ones) in the project, every completion with its model, and
 * each prompt's ranking task in that project. A prompt this run already stored is skipped (a resumed batch).
 */
export async function storeSampleBatch(db: Db, input: { runId: string; projectId: string; batch: SampledPrompt[]; openTasks: boolean }): Promise<{ stored: number; tasksOpened: number }> {
  return await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    let stored = 0;
    let tasksOpened = 0;
    for (const item of input.batch) {
      const promptId = item.prompt.promptId ?? (await insertPromptIfNew(t, input.projectId, { prompt: item.prompt.text, source: "sample" })).id;
      if ((await promptsSampledByRun(t, input.runId, [promptId])).size > 0) continue;
      const ids = await mapInOrder(item.completions, async (c) =>
          (await t
            .insert(completions)
            .values({
              promptId,
              text: storable(c.text),
              origin: "model",
              modelId: c.policy.modelId,
              modelName: c.policy.name,
              samplingParams: { ...c.samplingParams, run_id: input.runId, policy: c.policy.name },
              logprobSum: c.logprobSum ?? null,
            })
            .returning({ id: completions.id }))[0].id,
      );
      stored += ids.length;
      if (input.openTasks && (await openRankTask(t, { projectId: input.projectId, promptId, completionIds: ids })).created) tasksOpened++;
    }
    return { stored, tasksOpened };
  });
}

/** A sample run's prompts and completions for its page (newest prompts last), capped so the page stays light. */
export async function runSamples(db: Db, runId: string, limit = 50) {
  const rows = await db
    .select({ id: completions.id, promptId: completions.promptId, prompt: prompts.text, text: completions.text, model: completions.modelName })
    .from(completions)
    .innerJoin(prompts, eq(prompts.id, completions.promptId))
    .where(eq(jsonText(completions.samplingParams, "run_id"), runId))
    .orderBy(insertOrder(completions));
  const byPrompt = new Map<string, { promptId: string; prompt: string; completions: { id: string; text: string; model: string | null }[] }>();
  for (const r of rows) {
    let entry = byPrompt.get(r.promptId);
    if (!entry) {
      if (byPrompt.size >= limit) continue;
      byPrompt.set(r.promptId, (entry = { promptId: r.promptId, prompt: r.prompt, completions: [] }));
    }
    entry.completions.push({ id: r.id, text: r.text, model: r.model });
  }
  const taskCount = rows.length
    ? (await db.select({ n: sql<number>`count(*)` }).from(tasks).where(and(eq(tasks.kind, "rank"), inArray(tasks.promptId, [...new Set(rows.map((r) => r.promptId))]))))[0]!.n
    : 0;
  return { prompts: [...byPrompt.values()], totalCompletions: rows.length, rankTasks: taskCount };
}
