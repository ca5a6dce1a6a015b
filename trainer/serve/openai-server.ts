// `rlhf serve`: one of our checkpoints behind an OpenAI-compatible API on node:http, so any OpenAI client (and this
// project's own endpoint policies) can sample it: GET /v1/models, POST /v1/completions and /v1/chat/completions with
// n, temperature, top_p, max_tokens, seed, and `stream: true` as server-sent events sent token by token.
// Requests are served one at a time (tfjs runs on one thread; a queue keeps latency honest under load).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generate } from "../generate/index";
import type { GPT } from "../model/gpt";
import { decodeResponse, PROMPT_PREFIX, PROMPT_SUFFIX, type Tokenizer } from "../tokenizer/index";

export interface ServeOptions {
  model: GPT;
  tokenizer: Tokenizer;
  /** The id clients pass as `model`. */
  name: string;
  host?: string;
  port?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const MAX_N = 16;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

type Message = { role: string; content: string };

/** A chat transcript in the one chat template: "Human: …\n\nAssistant: …" turns, ending where the assistant speaks. */
export function chatPromptText(messages: Message[]): string {
  const turns = messages.map((m) => (m.role === "assistant" ? `Assistant: ${m.content}` : m.role === "system" ? m.content : `${PROMPT_PREFIX}${m.content}`));
  return turns.join("\n\n") + PROMPT_SUFFIX;
}

function num(body: Record<string, unknown>, key: string, dflt: number, min: number, max: number, integer = false): number {
  const v = body[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new HttpError(400, `'${key}' must be ${integer ? "an integer" : "a number"} between ${min} and ${max}`, key);
  return v;
}

function messagesOf(body: Record<string, unknown>): Message[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, "'messages' must be a non-empty list of {role, content}", "messages");
  return messages.map((m: unknown, i) => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    // Content given as parts ([{type: "text", text}]) is joined: text is all a GPT of ours reads.
    const text = Array.isArray(content) ? content.map((p: { text?: unknown }) => (typeof p?.text === "string" ? p.text : "")).join("") : content;
    if (typeof role !== "string" || typeof text !== "string") throw new HttpError(400, `messages[${i}] must have a string role and content`, "messages");
    return { role, content: text };
  });
}

function promptOf(body: Record<string, unknown>): string {
  const p = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
  if (typeof p !== "string") throw new HttpError(400, "'prompt' must be a string (one prompt per request)", "prompt");
  return p;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : 500;
  const message = err instanceof Error ? err.message.replace(/\s+/g, " ") : String(err);
  if (res.headersSent) {
    res.end(`data: ${JSON.stringify({ error: { message } })}\n\n`);
    return;
  }
  sendJson(res, status, { error: { message, type: status === 500 ? "server_error" : "invalid_request_error", param: err instanceof HttpError ? err.param : null, code: null } });
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body larger than 1 MB");
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error();
    return body as Record<string, unknown>;
  } catch {
    throw new HttpError(400, "the request body must be a JSON object");
  }
}

export async function startModelServer(opts: ServeOptions): Promise<RunningServer> {
  const { model, tokenizer: tok, name } = opts;
  const created = Math.floor(Date.now() / 1000);
  let queue: Promise<unknown> = Promise.resolve();
  let counter = 0;

  async function complete(req: http.IncomingMessage, res: http.ServerResponse, chat: boolean): Promise<void> {
    const body = await readBody(req);
    if (body.model !== name) throw new HttpError(404, `model '${String(body.model)}' is not served here; this server serves '${name}'`, "model");
    const text = chat ? chatPromptText(messagesOf(body)) : promptOf(body);
    const n = num(body, "n", 1, 1, MAX_N, true);
    const maxTokens = num(body, "max_tokens", chat ? 256 : 16, 1, model.config.n_positions, true);
    const temperature = num(body, "temperature", 1, 0, 2);
    const topP = num(body, "top_p", 1, 0, 1);
    const seed = num(body, "seed", Math.floor(Math.random() * 2 ** 31), 0, 2 ** 53, true);
    const stream = body.stream === true;
    const ids = tok.encode(text);
    if (ids.length === 0) throw new HttpError(400, "the prompt is empty", chat ? "messages" : "prompt");
    if (ids.length >= model.config.n_positions)
      throw new HttpError(400, `the prompt is ${ids.length} tokens; this model's context is ${model.config.n_positions}`, chat ? "messages" : "prompt");
    const id = `${chat ? "chatcmpl" : "cmpl"}-${Date.now().toString(36)}${(++counter).toString(36)}`;
    const object = chat ? "chat.completion" : "text_completion";
    // Completions continue the raw text; chat responses are the template's response part (leading space dropped).
    const decode = (tokens: number[]) => (chat ? decodeResponse(tok, tokens) : tok.decode(tokens, { skipSpecial: true }));

    if (stream) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      const rows = Array.from({ length: n }, () => ({ ids: [] as number[], sent: "" }));
      const chunk = (index: number, delta: string | null, finish: string | null) => {
        const choice = chat
          ? { index, delta: delta === null ? {} : rows[index]!.sent === delta ? { role: "assistant", content: delta } : { content: delta }, finish_reason: finish }
          : { index, text: delta ?? "", finish_reason: finish };
        res.write(`data: ${JSON.stringify({ id, object: chat ? "chat.completion.chunk" : "text_completion", created, model: name, choices: [choice] })}\n\n`);
      };
      const out = await generate(model, tok, Array.from({ length: n }, () => ids), {
        maxNewTokens: maxTokens,
        temperature,
        topP,
        seed,
        onToken(row, tokenId) {
          const r = rows[row]!;
          if (tokenId === tok.eosId) return;
          r.ids.push(tokenId);
          const textNow = decode(r.ids);
          // Hold back a split multi-byte character until its last byte arrives.
          if (textNow.endsWith("\uFFFD") || textNow.length <= r.sent.length) return;
          const delta = textNow.slice(r.sent.length);
          r.sent = textNow;
          chunk(row, delta, null);
        },
      });
      out.finished.forEach((done, i) => {
        // What was held back (a character cut at the token limit stays a replacement character) goes out last.
        const r = rows[i]!;
        const final = decode(r.ids);
        if (final.length > r.sent.length) {
          const delta = final.slice(r.sent.length);
          r.sent = final;
          chunk(i, delta, null);
        }
        chunk(i, null, done ? "stop" : "length");
      });
      res.end("data: [DONE]\n\n");
      return;
    }

    const out = await generate(model, tok, Array.from({ length: n }, () => ids), { maxNewTokens: maxTokens, temperature, topP, seed });
    const choices = out.tokens.map((tokens, index) => {
      const finish = out.finished[index] ? "stop" : "length";
      const textOut = decode(tokens);
      return chat ? { index, message: { role: "assistant", content: textOut }, finish_reason: finish } : { index, text: textOut, logprobs: null, finish_reason: finish };
    });
    const completionTokens = out.tokens.reduce((s, t) => s + t.length, 0);
    sendJson(res, 200, { id, object, created, model: name, choices, usage: { prompt_tokens: ids.length, completion_tokens: completionTokens, total_tokens: ids.length + completionTokens } });
  }

  const server = http.createServer((req, res) => {
    const url = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && url === "/v1/models") {
      sendJson(res, 200, { object: "list", data: [{ id: name, object: "model", created, owned_by: "rlhf-workbench" }] });
      return;
    }
    const chat = url === "/v1/chat/completions";
    if (req.method !== "POST" || (!chat && url !== "/v1/completions")) {
      sendError(res, new HttpError(404, `no route ${req.method} ${url}; this server has GET /v1/models, POST /v1/completions and POST /v1/chat/completions`));
      return;
    }
    // One generation at a time, in arrival order.
    const job = queue.then(() => complete(req, res, chat)).catch((err: unknown) => sendError(res, err));
    queue = job;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8000, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
