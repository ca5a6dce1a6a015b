// The playground's generations: a browser asks a policy for a few samples of one prompt. Requests are rows, so the
// web process never loads TensorFlow.js: the worker claims the ones for our models (trainer/playground), and the
// ones for endpoints are answered here through the `openai` client, after the request has returned.
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/index";
import { skipLocked } from "../../db/statements";
import { generations } from "../../db/schema";
import { describeEndpointFailure, sampleEndpoint } from "./endpoint-sampling";
import { endpointOf } from "./endpoints";
import { badRequest, notFound } from "./errors";
import { resolveModel } from "./models";

export type GenerationRow = typeof generations.$inferSelect;

export const MAX_PLAYGROUND_PROMPT_CHARS = 8000;

/** Sampling controls of the playground, with the same names as a sample run's config. */
export const generationParams = z.object({
  n: z.int().min(1).max(4).default(1),
  temperature: z.number().min(0).max(2).default(1),
  top_p: z.number().positive().max(1).default(1),
  max_new_tokens: z.int().min(1).max(1024).default(128),
  seed: z.int().min(0).max(2 ** 31).default(0),
});
export type GenerationParams = z.output<typeof generationParams>;

/** Endpoint calls from the web process wait at most this long: a playground user is watching. */
const PLAYGROUND_TIMEOUT_MS = 60_000;

/**
 * Queues one generation and returns at once. An endpoint model is called now, in the background; one of ours waits
 * for the worker (`npm start` runs one beside the web server).
 */
export async function requestGeneration(db: Db, input: { model: string; prompt: string; params: GenerationParams }, userId: string | null): Promise<GenerationRow> {
  const model = await resolveModel(db, input.model, "policy");
  if (!input.prompt.trim()) throw badRequest("write a prompt first");
  if (input.prompt.length > MAX_PLAYGROUND_PROMPT_CHARS) throw badRequest(`the prompt is longer than ${MAX_PLAYGROUND_PROMPT_CHARS} characters`);
  const row = (await db.insert(generations).values({ modelId: model.id, prompt: input.prompt, params: input.params, createdBy: userId }).returning())[0];
  const endpoint = endpointOf(model);
  if (endpoint) {
    await db.update(generations).set({ status: "running", workerId: "web" }).where(eq(generations.id, row.id));
    const p = input.params;
    void sampleEndpoint(model.name, endpoint, input.prompt, { n: p.n, temperature: p.temperature, topP: p.top_p, maxTokens: p.max_new_tokens, seed: p.seed }, { timeoutMs: PLAYGROUND_TIMEOUT_MS, maxRetries: 1 })
      .then(async (outputs) => await finishGeneration(db, row.id, outputs))
      .catch(async (err: unknown) => await failGeneration(db, row.id, describeEndpointFailure(model.name, endpoint, err)));
  }
  return await getGeneration(db, row.id);
}

export async function getGeneration(db: Db, id: string): Promise<GenerationRow> {
  const row = (await db.select().from(generations).where(eq(generations.id, id)))[0];
  if (!row) throw notFound("no such generation");
  // An endpoint call lives in the web process: if that process restarted, nobody will finish the row.
  if (row.status === "running" && row.workerId === "web" && Date.now() - row.createdAt.getTime() > 3 * PLAYGROUND_TIMEOUT_MS) {
    await failGeneration(db, id, "the web server restarted before the endpoint answered; generate again");
    return await getGeneration(db, id);
  }
  return row;
}

/** The oldest queued generation, marked running by this worker (one worker per row: skipLocked); undefined when none waits. */
export async function claimNextGeneration(db: Db, workerId: string): Promise<GenerationRow | undefined> {
  return await db.transaction(async (tx) => {
    const next = (await skipLocked(db, tx.select({ id: generations.id }).from(generations).where(eq(generations.status, "queued")).orderBy(asc(generations.createdAt)).limit(1)))[0];
    if (!next) return undefined;
    return (await tx
      .update(generations)
      .set({ status: "running", workerId })
      .where(and(eq(generations.id, next.id), eq(generations.status, "queued")))
      .returning())[0];
  });
}

export async function finishGeneration(db: Db, id: string, outputs: string[]): Promise<void> {
  await db.update(generations).set({ status: "succeeded", outputs, finishedAt: new Date() }).where(eq(generations.id, id));
}

export async function failGeneration(db: Db, id: string, error: string): Promise<void> {
  await db.update(generations).set({ status: "failed", error: error.slice(0, 2000), finishedAt: new Date() }).where(eq(generations.id, id));
}
