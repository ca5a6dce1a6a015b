// Loading what the RL runs need from checkpoints and the database: policies, a checked reward model, the chat
// template as an encoder, and samplers over trainer/generate.
import { loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from "../checkpoint/index";
import { generate } from "../generate/index";
import type { GPT } from "../model/gpt";
import type { ScalarHead } from "../model/heads";
import { RunInputError } from "../runs/errors";
import type { ModelInput } from "../runs/types";
import { buildExample, buildPrompt, decodeResponse, getTokenizer, type Tokenizer, type TokenizerName } from "../tokenizer/index";
import type { Sampler } from "./ppo";

export interface LoadedPolicy {
  model: GPT;
  tokenizer: Tokenizer;
  tokenizerName: TokenizerName;
  checkpoint: LoadedCheckpoint;
}

export async function loadPolicy(input: ModelInput): Promise<LoadedPolicy> {
  const checkpoint = await loadCheckpoint(input.dir);
  // A reward model's backbone is a GPT too, but a policy starts from an LM: its head (if any) is not used here.
  checkpoint.head?.dispose();
  return { model: checkpoint.model, tokenizer: getTokenizer(checkpoint.tokenizer), tokenizerName: checkpoint.tokenizer, checkpoint };
}

/** Loads a reward model, refusing checkpoints without a reward head (a policy passed as --reward, say). */
export async function loadRewardModel(input: ModelInput): Promise<{ model: GPT; head: ScalarHead; tokenizerName: TokenizerName }> {
  const checkpoint = await loadCheckpoint(input.dir);
  if (checkpoint.headKind !== "reward" || !checkpoint.head) {
    checkpoint.model.dispose();
    checkpoint.head?.dispose();
    throw new RunInputError(`model '${input.label}' is not a reward model (its checkpoint has no reward head); train one with 'rlhf train rm'`);
  }
  return { model: checkpoint.model, head: checkpoint.head, tokenizerName: checkpoint.tokenizer };
}

/** prompt + response → token ids and response mask, through the one chat template. */
export function encoderFor(tok: Tokenizer) {
  return (prompt: string, response: string) => buildExample(tok, prompt, response);
}

/**
 * The online trainers' sampler over trainer/generate (KV cache, seeded, per-row stop at EOS), the batch split over the
 * trainer's data-parallel threads when it passes them (its replica 0 is the policy).
 */
export function samplerFor(tok: Tokenizer): Sampler {
  return async (policy, promptIds, opts, parallel) => {
    const o = { maxNewTokens: opts.maxNewTokens, temperature: opts.temperature, seed: opts.seed };
    return (parallel ? await parallel.generate(promptIds, o, tok) : await generate(policy, tok, promptIds, o)).tokens;
  };
}

/** Samples one response per prompt as text (for RM normalisation and evaluation). */
export async function sampleTexts(
  model: GPT,
  tok: Tokenizer,
  promptTexts: readonly string[],
  opts: { maxNewTokens: number; temperature?: number; seed: number; batchSize?: number },
): Promise<Array<{ prompt: string; response: string }>> {
  const out: Array<{ prompt: string; response: string }> = [];
  const size = opts.batchSize ?? 16;
  for (let i = 0; i < promptTexts.length; i += size) {
    const chunk = promptTexts.slice(i, i + size);
    const res = await generate(model, tok, chunk.map((p) => buildPrompt(tok, p)), { maxNewTokens: opts.maxNewTokens, temperature: opts.temperature ?? 1, seed: opts.seed + i });
    res.tokens.forEach((t, j) => out.push({ prompt: chunk[j]!, response: decodeResponse(tok, t) }));
  }
  return out;
}

export { saveCheckpoint };
