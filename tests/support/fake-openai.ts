// A small OpenAI-compatible server on loopback for tests and the sampling bench: /v1/chat/completions and
// /v1/completions answer `n` choices, and a test can make it misbehave (HTTP 500, malformed JSON, fewer choices than
// asked, slow answers) to check what the sampler does. It records every request it gets.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakeMode = "ok" | "error500" | "malformed" | "one-choice" | "no-choices" | "slow";

export interface FakeRequest {
  path: string;
  body: Record<string, any>;
  authorization: string | undefined;
}

export interface FakeOpenAI {
  url: string;
  requests: FakeRequest[];
  /** How the next requests are answered; `times` limits it to the next N requests, then "ok" again. */
  setMode(mode: FakeMode, times?: number): void;
  /** Extra milliseconds before each answer (also what "slow" waits). */
  delayMs: number;
  /** Requests from this (0-based) count on get HTTP 500, whatever the mode: a server that dies mid-run. */
  failFrom: number;
  close(): Promise<void>;
}

function promptOf(body: Record<string, any>): string {
  if (Array.isArray(body.messages)) return String(body.messages[body.messages.length - 1]?.content ?? "");
  return String(body.prompt ?? "");
}

export async function startFakeOpenAI(opts: { modelName?: string } = {}): Promise<FakeOpenAI> {
  let mode: FakeMode = "ok";
  let modeLeft = Infinity;
  let counter = 0;
  const state: FakeOpenAI = {
    url: "",
    requests: [],
    delayMs: 0,
    failFrom: Infinity,
    setMode(m, times = Infinity) {
      mode = m;
      modeLeft = times;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      void (async () => {
        const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
        state.requests.push({ path: req.url ?? "", body, authorization: req.headers.authorization });
        const current = state.requests.length > state.failFrom ? "error500" : modeLeft > 0 ? mode : "ok";
        if (modeLeft > 0 && Number.isFinite(modeLeft)) modeLeft--;
        if (current === "slow" || state.delayMs) await new Promise((r) => setTimeout(r, current === "slow" ? 2_000 : state.delayMs));
        if (req.url === "/v1/models") return send(res, 200, { object: "list", data: [{ id: opts.modelName ?? "fake", object: "model" }] });
        if (current === "error500") return send(res, 500, { error: { message: "the model crashed" } });
        if (current === "malformed") {
          res.writeHead(200, { "content-type": "application/json" });
          return res.end('{"choices": [ {"message": ');
        }
        const chat = req.url === "/v1/chat/completions";
        if (!chat && req.url !== "/v1/completions") return send(res, 404, { error: { message: `no route ${req.url}` } });
        const n = current === "no-choices" ? 0 : current === "one-choice" ? 1 : Number(body.n ?? 1);
        const prompt = promptOf(body);
        const choices = Array.from({ length: n }, (_, index) => {
          const text = `${String(body.model)} answer ${++counter} to: ${prompt.slice(0, 40)}`;
          return chat
            ? { index, message: { role: "assistant", content: text }, finish_reason: "stop" }
            : { index, text, finish_reason: "stop" };
        });
        send(res, 200, { id: `fake-${counter}`, object: chat ? "chat.completion" : "text_completion", created: 0, model: body.model, choices });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
