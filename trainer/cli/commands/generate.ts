// `rlhf generate` and `rlhf logprobs`: a model's samples for one prompt, and teacher-forced log-probs of a text.
//
//   rlhf generate --model M --prompt TEXT [--n N] [--max-new-tokens K] [--temperature T] [--top-k K] [--top-p P] [--seed S]
//   rlhf logprobs --model M --text TEXT      -> {"tokens":[ids],"logprobs":[...]}: log p(token_i | tokens_<i) for i ≥ 1,
//                                              tokens = the tokenizer's plain encode of TEXT (no chat template)
// M is a registered model name/id or a checkpoint directory (server/services/model-inputs.ts); `generate` also
// samples an endpoint policy through its OpenAI-compatible API.
import { getDb } from "../../../db/index";
import { sampleEndpoint } from "../../../server/services/endpoint-sampling";
import { endpointOf } from "../../../server/services/endpoints";
import { resolveModelInput } from "../../../server/services/model-inputs";
import { findModel } from "../../../server/services/models";
import { Args, CliError } from "../args";
import type { Command, CommandIO, Handler } from "../types";

/** Loads tfjs, the backend and the checkpoint only when a command needs them. */
async function loadModel(dir: string) {
  const { initBackend } = await import("../../backend/index.js");
  await initBackend();
  const { loadCheckpoint, CheckpointError } = await import("../../checkpoint/index.js");
  try {
    return await loadCheckpoint(dir);
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
}

export interface GenerateCommandOptions {
  prompt: string;
  n: number;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** Token ids the model has no embedding for mean the checkpoint's tokenizer and vocabulary disagree. */
function assertInVocab(ids: number[], vocab: number, tokenizer: string): void {
  const bad = ids.find((id) => id >= vocab);
  if (bad !== undefined) throw new CliError(`token id ${bad} from the '${tokenizer}' tokenizer is outside the model's vocabulary (vocab_size ${vocab}): the checkpoint's tokenizer does not match it`);
}

/** Samples n completions of one prompt (chat template applied) from the checkpoint in `dir`. */
export async function runGenerate(dir: string, o: GenerateCommandOptions) {
  const ckpt = await loadModel(dir);
  const { getTokenizer, buildPrompt, decodeResponse } = await import("../../tokenizer/index.js");
  const { generate } = await import("../../generate/index.js");
  const tok = getTokenizer(ckpt.tokenizer);
  try {
    const promptIds = buildPrompt(tok, o.prompt);
    assertInVocab(promptIds, ckpt.config.vocab_size, ckpt.tokenizer);
    if (promptIds.length >= ckpt.config.n_positions) {
      throw new CliError(`prompt is ${promptIds.length} tokens but the model's context is ${ckpt.config.n_positions}: shorten it`);
    }
    const r = await generate(ckpt.model, tok, Array.from({ length: o.n }, () => promptIds), {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature,
      topK: o.topK,
      topP: o.topP,
      seed: o.seed,
      returnLogprobs: true,
    });
    const completions = r.tokens.map((tokens, i) => ({
      text: decodeResponse(tok, tokens),
      tokens,
      finished: r.finished[i]!,
      logprob_sum: r.logprobs![i]!.reduce((a, b) => a + b, 0),
    }));
    return { tokenizer: ckpt.tokenizer, prompt: o.prompt, completions };
  } finally {
    ckpt.model.dispose();
    ckpt.head?.dispose();
  }
}

/** Teacher-forced log-probs of `text` (plain encode, no template) under the checkpoint in `dir`. */
export async function runLogprobs(dir: string, text: string) {
  const ckpt = await loadModel(dir);
  const { getTokenizer } = await import("../../tokenizer/index.js");
  const { sequenceLogprobs } = await import("../../generate/index.js");
  const tok = getTokenizer(ckpt.tokenizer);
  try {
    const tokens = tok.encode(text);
    assertInVocab(tokens, ckpt.config.vocab_size, ckpt.tokenizer);
    if (tokens.length > ckpt.config.n_positions) throw new CliError(`text is ${tokens.length} tokens but the model's context is ${ckpt.config.n_positions}: shorten it`);
    const logprobs = tokens.length < 2 ? [] : (await sequenceLogprobs(ckpt.model, [tokens], tok.padId))[0]!;
    return { tokens, logprobs };
  } finally {
    ckpt.model.dispose();
    ckpt.head?.dispose();
  }
}

const generateCmd: Handler = async (args: Args, io: CommandIO) => {
  const model = args.string("model", { required: true });
  const prompt = args.string("prompt", { required: true });
  const opts: GenerateCommandOptions = {
    prompt,
    n: args.int("n", { default: 1, min: 1, max: 64 }),
    maxNewTokens: args.int("max-new-tokens", { default: 128, min: 1, max: 4096 }),
    // A person reads these: 0.7 trades a little variety for coherent text (sample/PPO rollouts keep 1.0).
    temperature: args.number("temperature", { default: 0.7, min: 0 })!,
    topK: args.int("top-k", { default: 0, min: 0 }),
    topP: args.number("top-p", { default: 1, min: 0, max: 1 })!,
    seed: args.int("seed", { default: 0, min: 0 }),
  };
  args.assertAllUsed();
  // An endpoint policy is sampled through its API: the same flags, top-k aside (the OpenAI API has none).
  const row = await findModel(getDb(), model);
  const endpoint = row ? endpointOf(row) : null;
  if (row && endpoint) {
    if (opts.topK) throw new CliError(`--top-k is not part of the OpenAI API; '${row.name}' is an endpoint`);
    io.log(`generating ${opts.n} completion(s) with endpoint '${row.name}'`);
    const texts = await sampleEndpoint(row.name, endpoint, prompt, { n: opts.n, temperature: opts.temperature, topP: opts.topP, maxTokens: opts.maxNewTokens, seed: opts.seed }).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const completions = texts.map((text) => ({ text }));
    return { json: { model: row.name, endpoint: endpoint.baseUrl, prompt, completions }, text: texts.map((t, i) => (texts.length > 1 ? `[${i + 1}] ${t}` : t)).join("\n") };
  }
  const input = await resolveModelInput(getDb(), model);
  io.log(`generating ${opts.n} completion(s) with ${input.label}`);
  const r = await runGenerate(input.dir, opts);
  const text = r.completions.map((c, i) => (r.completions.length > 1 ? `[${i + 1}] ${c.text}` : c.text)).join("\n");
  return { json: { model: input.label, ...r }, text };
};

const logprobsCmd: Handler = async (args: Args) => {
  const model = args.string("model", { required: true });
  const text = args.string("text", { required: true });
  args.assertAllUsed();
  const input = await resolveModelInput(getDb(), model);
  const r = await runLogprobs(input.dir, text);
  return { json: r, text: JSON.stringify(r) };
};

export const commands: Command[] = [
  {
    name: "generate",
    usage: "rlhf generate --model M --prompt TEXT [--n N]",
    help: "sampling flags: --max-new-tokens (128) --temperature (0.7) --top-k (0) --top-p (1) --seed (0)",
    run: generateCmd,
  },
  { name: "logprobs", usage: "rlhf logprobs --model M --text TEXT", run: logprobsCmd },
];
