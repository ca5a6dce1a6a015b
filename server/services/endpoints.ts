// Policies behind an OpenAI-compatible API (vLLM, TGI, Ollama, llama.cpp server, a hosted API): registering one, and
// telling such a model apart from a checkpoint of ours. Only the name of the API key's environment variable is
// stored; the key itself is read when a call is made (endpoint-sampling.ts).
import type { Db } from "../../db/index";
import { models, type ModelEndpoint } from "../../db/schema";
import { writeAudit } from "./audit";
import { badRequest, conflict } from "./errors";
import { assertModelName, findModel, type ModelRow } from "./models";

export type { ModelEndpoint };
export const ENDPOINT_APIS = ["chat", "completions"] as const;

export interface NewEndpoint {
  name: string;
  baseUrl: string;
  model: string;
  apiKeyEnv?: string | null;
  api?: ModelEndpoint["api"];
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * The base URL the OpenAI client is given: http(s) only, no credentials or query, trailing slash dropped, and `/v1`
 * appended unless the path already names a version (`http://host:8000` and `http://host:8000/v1` mean the same).
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest(`base URL '${raw}' is not a URL; give one like http://localhost:8000/v1`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest(`base URL '${raw}' must start with http:// or https://`);
  // A key in the URL would be stored in the database and shown on pages: keys come from --api-key-env only.
  if (url.username || url.password) throw badRequest("the base URL must not carry credentials; put the key in an environment variable and pass --api-key-env VAR");
  if (url.search || url.hash) throw badRequest(`base URL '${raw}' must not have a query or fragment`);
  let pathname = url.pathname.replace(/\/+$/, "");
  if (!/\/v\d+[a-z]*$/i.test(pathname)) pathname += "/v1";
  return `${url.origin}${pathname}`;
}

/** Checks what a user typed and returns the endpoint as stored. */
export function parseEndpoint(input: Omit<NewEndpoint, "name">): ModelEndpoint {
  const model = input.model.trim();
  if (!model || model.length > 200) throw badRequest("the endpoint's model id must be 1-200 characters (what the server calls the model, e.g. 'meta-llama/Llama-3.1-8B-Instruct')");
  const apiKeyEnv = input.apiKeyEnv?.trim() || undefined;
  if (apiKeyEnv !== undefined && !ENV_NAME_RE.test(apiKeyEnv))
    throw badRequest(`'${apiKeyEnv}' is not an environment variable name; give the variable's name (like OPENAI_API_KEY), never the key itself`);
  const api = input.api ?? "chat";
  if (!ENDPOINT_APIS.includes(api)) throw badRequest(`api must be chat or completions (got '${String(api)}')`);
  return { baseUrl: normalizeBaseUrl(input.baseUrl), model, api, ...(apiKeyEnv ? { apiKeyEnv } : {}) };
}

/** Registers an endpoint as a policy model (no checkpoint directory, no tokenizer of ours), with its audit entry. */
export async function registerEndpoint(db: Db, input: NewEndpoint, actorId: string | null = null): Promise<ModelRow> {
  assertModelName(input.name);
  const endpoint = parseEndpoint(input);
  return await db.transaction(async (tx) => {
    if (await findModel(tx as unknown as Db, input.name)) throw conflict(`a model named '${input.name}' already exists; pick another --name`);
    const row = (await tx
      .insert(models)
      .values({ name: input.name, kind: "policy", source: "endpoint", endpoint, path: "", tokenizer: "", config: { endpoint: true } })
      .returning())[0];
    await writeAudit(tx, { userId: actorId, action: "model.add_endpoint", entity: "model", entityId: row.id, detail: { name: row.name, ...endpoint } });
    return row;
  });
}

/** The endpoint of a model registered as one, or null for a checkpoint of ours. */
export function endpointOf(row: Pick<ModelRow, "source" | "endpoint">): ModelEndpoint | null {
  return row.source === "endpoint" && row.endpoint ? row.endpoint : null;
}

/** How a model reads in a list: `vllm-llama (endpoint: meta-llama/… at http://host/v1)`. */
export function describeEndpoint(e: ModelEndpoint): string {
  return `${e.model} at ${e.baseUrl} (${e.api}${e.apiKeyEnv ? `, key from $${e.apiKeyEnv}` : ""})`;
}
