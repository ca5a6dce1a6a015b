// `rlhf serve`: one of our checkpoints behind an OpenAI-compatible API, driven by the `openai` npm client (models list,
// completions, chat with n, streaming) and then registered as an endpoint policy that `rlhf sample` draws from.
import { spawn } from "node:child_process";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../trainer/rl/models";
import { startModelServer, type RunningServer } from "../../trainer/serve/openai-server";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let server: RunningServer;
let client: OpenAI;
let dispose: () => void;

beforeAll(async () => {
  env = cliEnv("rlhf-serve-");
  const dir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  await env.withDb(async (db) => {
    await seedDemonstrations(db);
    await registerTiny(db, "tiny", dir);
  });
  const policy = await loadPolicy({ row: null, dir, tokenizer: "byte", label: "tiny" });
  dispose = () => policy.model.dispose();
  server = await startModelServer({ model: policy.model, tokenizer: policy.tokenizer, name: "tiny", port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  dispose();
  await env.restore();
});

describe("rlhf serve (OpenAI-compatible API for our models)", () => {
  it("listens on loopback and lists the model", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(["tiny"]);
  });

  it("answers /v1/completions and /v1/chat/completions with n choices, repeatable with a seed", async () => {
    const c = await client.completions.create({ model: "tiny", prompt: "Human: Say hi.\n\nAssistant:", max_tokens: 5, n: 2, temperature: 1, seed: 3 });
    expect(c.choices).toHaveLength(2);
    expect(c.usage!.prompt_tokens).toBeGreaterThan(0);
    const chat = await client.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Say hi." }], max_tokens: 6, n: 3, seed: 7 });
    expect(chat.choices).toHaveLength(3);
    for (const ch of chat.choices) {
      expect(typeof ch.message.content).toBe("string");
      expect(["stop", "length"]).toContain(ch.finish_reason);
    }
    const again = await client.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Say hi." }], max_tokens: 6, n: 3, seed: 7 });
    expect(again.choices.map((x) => x.message.content)).toEqual(chat.choices.map((x) => x.message.content));
  });

  it("streams chat tokens as server-sent events that add up to the full answer", async () => {
    const body = { model: "tiny", messages: [{ role: "user" as const, content: "Say sun." }], max_tokens: 8, seed: 11, temperature: 0 };
    const whole = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    for await (const part of stream) {
      chunks++;
      text += part.choices[0]?.delta?.content ?? "";
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(chunks).toBeGreaterThan(1);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
  });

  it("streams /v1/completions too, n rows interleaved by index", async () => {
    const body = { model: "tiny", prompt: "Human: Say moon.\n\nAssistant:", max_tokens: 6, n: 2, seed: 5 };
    const whole = await client.completions.create(body);
    const stream = await client.completions.create({ ...body, stream: true });
    const texts = ["", ""];
    for await (const part of stream) for (const ch of part.choices) texts[ch.index] += ch.text;
    expect(texts).toEqual(whole.choices.map((c) => c.text));
  });

  it("bad requests get OpenAI-style 4xx errors, never a crash", async () => {
    await expect(client.chat.completions.create({ model: "other", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 404 });
    await expect(client.chat.completions.create({ model: "tiny", messages: [] })).rejects.toMatchObject({ status: 400 });
    await expect(client.completions.create({ model: "tiny", prompt: "x", n: 99 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining("'n' must be an integer between 1 and 16") });
    await expect(client.completions.create({ model: "tiny", prompt: "x".repeat(500) })).rejects.toMatchObject({ status: 400, message: expect.stringContaining("this model's context is 96") });
    const list = await client.models.list();
    expect(list.data).toHaveLength(1);
  });

  it("registered as an endpoint, it is a policy `rlhf sample` draws from beside the model itself", async () => {
    const add = await rlhf("models", "add-endpoint", "--name", "tiny-served", "--base-url", server.url, "--model", "tiny", "--json");
    expect(add.code, add.err).toBe(0);
    const r = await rlhf("sample", "--model", "tiny,tiny-served", "--project", "Tiny", "--split", "test", "--k", "2", "--max-new-tokens", "4", "--tasks", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ completions: 6, stored: 6, tasks_opened: 3 });
  });

  it("`rlhf serve --port 0` as its own process: prints where it listens, answers the client, stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [path.resolve(__dirname, "../../trainer/bin/rlhf.mjs"), "serve", "--model", "tiny", "--port", "0", "--json"], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const listening = await new Promise<{ base_url: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in 60 s: ${out}`)), 60_000);
      child.stdout.on("data", () => {
        const line = out.split("\n").find((l) => l.includes('"listening"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { base_url: string });
        }
      });
      child.on("exit", (code) => reject(new Error(`rlhf serve exited with ${code}: ${out}`)));
    });
    expect(listening.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const c = new OpenAI({ baseURL: listening.base_url, apiKey: "none", maxRetries: 0 });
    const r = await c.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Say hi." }], max_tokens: 4 });
    expect(r.choices).toHaveLength(1);
    const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(out.trim().split("\n").pop()).toContain('"stopped":true');
  }, 90_000);

  it("`rlhf serve` refuses an endpoint model in one line", async () => {
    const r = await rlhf("serve", "--model", "tiny-served", "--json");
    expect(errorLine(r)).toBe("rlhf: --model tiny-served: 'tiny-served' is an endpoint model (served elsewhere); it can be sampled but not trained or loaded here: pick a checkpoint of ours");
  });
});
