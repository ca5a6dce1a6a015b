// `rlhf serve --model M [--port P] [--host H]`: one of our registered models (or a checkpoint directory) as an
// OpenAI-compatible API until Ctrl-C. Loopback by default: the API has no authentication, so opening it to a network
// is the user's explicit choice (--host 0.0.0.0).
import { resolveModelInput } from "../../../server/services/model-inputs";
import { CliError } from "../args";
import { registryDb } from "../shared";
import type { Command, Handler } from "../types";

const serve: Handler = async (args, io) => {
  const value = args.string("model", { required: true });
  const port = args.int("port", { default: 8000, min: 0, max: 65535 });
  const host = args.string("host") ?? "127.0.0.1";
  args.assertAllUsed();
  const input = await resolveModelInput(await registryDb(), value, { flag: "--model", kind: "policy" });
  const [{ initBackend }, { loadPolicy }, { startModelServer }] = await Promise.all([
    import("../../backend/index"),
    import("../../rl/models"),
    import("../../serve/openai-server"),
  ]);
  io.log(`tfjs backend: ${await initBackend()}`);
  const policy = await loadPolicy(input);
  let server;
  try {
    server = await startModelServer({ model: policy.model, tokenizer: policy.tokenizer, name: input.row?.name ?? input.label, host, port });
  } catch (err) {
    policy.model.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === "EADDRINUSE" ? `port ${port} on ${host} is in use; pick another with --port` : `cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  const name = input.row?.name ?? input.label;
  io.log(`serving '${name}' at ${server.url}/v1 (OpenAI-compatible: /v1/models, /v1/completions, /v1/chat/completions); Ctrl-C stops`);
  if (io.json) process.stdout.write(JSON.stringify({ ok: true, event: "listening", model: name, base_url: `${server.url}/v1` }) + "\n");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  policy.model.dispose();
  return { json: { model: name, base_url: `${server.url}/v1`, stopped: true }, text: "stopped" };
};

export const commands: Command[] = [
  {
    name: "serve",
    usage: "rlhf serve --model M [--port P] [--host H]",
    help: "Serves one of our models as an OpenAI-compatible API (streaming included) on 127.0.0.1:8000 by default; register it elsewhere with 'rlhf models add-endpoint --base-url http://HOST:PORT/v1 --model M'.",
    run: serve,
  },
];
