// Sampling completions from an OpenAI-compatible endpoint through the `openai` client: `n` samples per prompt with
// temperature, top_p and max_tokens, a timeout, retries with backoff on 429/5xx and dropped connections (the client's
// own), and every failure turned into one line naming the endpoint. No TensorFlow.js: the web process may call this.
import OpenAI from "openai";
import type { ModelEndpoint } from "../../db/schema";
import { badRequest } from "./errors";

export interface EndpointSampling {
  n: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Passed through; servers that support it (vLLM, llama.cpp) make samples repeatable. */
  seed?: number;
}

export interface EndpointCallOptions {
  /** Per request, milliseconds. */
  timeoutMs?: number;
  /** Retries after the first try on 408/409/429/5xx and connection errors, with the client's exponential backoff. */
  maxRetries?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export const DEFAULT_ENDPOINT_TIMEOUT_MS = 120_000;
export const DEFAULT_ENDPOINT_RETRIES = 3;

/** An endpoint call that failed after its retries: the message names the model and where it lives. */
export class EndpointError extends Error {
  override name = "EndpointError";
}

/** The API key, read from its environment variable now (never stored, never logged). */
function apiKey(label: string, e: ModelEndpoint, env: Record<string, string | undefined>): string {
  if (!e.apiKeyEnv) return "none"; // local servers take any key; the client refuses an empty one
  const key = env[e.apiKeyEnv];
  if (!key) throw new EndpointError(`endpoint '${label}': environment variable ${e.apiKeyEnv} (its API key) is not set`);
  return key;
}

export function endpointClient(label: string, e: ModelEndpoint, opts: EndpointCallOptions = {}): OpenAI {
  return new OpenAI({
    baseURL: e.baseUrl,
    apiKey: apiKey(label, e, opts.env ?? process.env),
    timeout: opts.timeoutMs ?? DEFAULT_ENDPOINT_TIMEOUT_MS,
    maxRetries: opts.maxRetries ?? DEFAULT_ENDPOINT_RETRIES,
  });
}

/** One line for a failed call: what the endpoint said (status and message) or why it could not be reached. */
export function describeEndpointFailure(label: string, e: ModelEndpoint, err: unknown): string {
  const where = `endpoint '${label}' (${e.baseUrl}, model ${e.model})`;
  if (err instanceof EndpointError) return err.message;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `${where} did not answer in time (request timed out)`;
  if (err instanceof OpenAI.APIConnectionError) return `${where} is unreachable: ${connectionCause(err)}`;
  if (err instanceof OpenAI.APIError && err.status) {
    const detail = err.message.replace(/^\d{3}\s*/, "").replace(/\s+/g, " ").slice(0, 300);
    return `${where} answered HTTP ${err.status}${detail ? `: ${detail}` : ""}`;
  }
  if (err instanceof SyntaxError) return `${where} returned a response that is not valid JSON`;
  const msg = err instanceof Error ? err.message : String(err);
  return `${where} failed: ${msg.replace(/\s+/g, " ").slice(0, 300)}`;
}

function connectionCause(err: Error): string {
  let cause: unknown = err.cause;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  const code = (cause as { code?: string } | undefined)?.code;
  if (code === "ECONNREFUSED") return "connection refused (is the server running?)";
  if (code === "ENOTFOUND") return "host not found";
  return cause instanceof Error ? cause.message : err.message;
}

/** The texts of one response's choices; a choice without text means the response is not what the API promises. */
function choiceTexts(api: ModelEndpoint["api"], body: unknown): string[] {
  const choices = (body as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) throw new Error("the response has no 'choices' list");
  return choices.map((c: unknown) => {
    const text = api === "chat" ? (c as { message?: { content?: unknown } })?.message?.content : (c as { text?: unknown })?.text;
    if (typeof text !== "string") throw new Error(`a choice has no ${api === "chat" ? "message.content" : "text"} string`);
    return text;
  });
}

/** A chat transcript ({role, content} turns ending with the user's); a plain prompt is one user turn. */
export type ChatTurn = { role: string; content: string };

/** The transcript as one text for /v1/completions, in the hh-rlhf wording the exports use. */
function transcriptText(turns: ChatTurn[]): string {
  return turns.map((t) => `${t.role === "assistant" ? "Assistant" : "Human"}: ${t.content}`).join("\n\n") + "\n\nAssistant:";
}

async function requestOnce(client: OpenAI, e: ModelEndpoint, prompt: string | ChatTurn[], n: number, p: EndpointSampling, signal?: AbortSignal): Promise<string[]> {
  const common = { model: e.model, n, temperature: p.temperature, top_p: p.topP, max_tokens: p.maxTokens, ...(p.seed !== undefined ? { seed: p.seed } : {}) };
  const body =
    e.api === "chat"
      ? await client.chat.completions.create(
          { ...common, messages: typeof prompt === "string" ? [{ role: "user", content: prompt }] : (prompt as OpenAI.Chat.ChatCompletionMessageParam[]) },
          { signal },
        )
      : await client.completions.create({ ...common, prompt: typeof prompt === "string" ? prompt : transcriptText(prompt) }, { signal });
  return choiceTexts(e.api, body);
}

/**
 * `p.n` completions of one prompt. Servers that ignore `n` (or return fewer choices) are asked again for the rest;
 * one that returns none at all, or a malformed answer, is an EndpointError naming the endpoint.
 */
export async function sampleEndpoint(label: string, e: ModelEndpoint, prompt: string | ChatTurn[], p: EndpointSampling, opts: EndpointCallOptions = {}): Promise<string[]> {
  if (!Number.isInteger(p.n) || p.n < 1) throw badRequest(`n must be a positive integer (got ${p.n})`);
  const client = endpointClient(label, e, opts);
  const out: string[] = [];
  try {
    while (out.length < p.n) {
      const got = await requestOnce(client, e, prompt, p.n - out.length, p, opts.signal);
      if (got.length === 0) throw new Error(`it returned no completions (asked for ${p.n - out.length})`);
      out.push(...got.slice(0, p.n - out.length));
    }
  } catch (err) {
    throw new EndpointError(describeEndpointFailure(label, e, err));
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight, results in input order; the first failure rejects. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
