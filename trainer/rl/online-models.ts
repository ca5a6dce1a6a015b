// Loading what a critic-free online run (GRPO, RLOO) holds in memory: the policy, the frozen reference (= the base)
// and the frozen RM, plus the train prompts that leave room for a completion. PPO adds a critic to the same three.
// With LoRA the reference is the policy's base seen without adapters (one copy of the weights); without it, a model
// whose full fine-tune cannot fit the wasm heap is refused before anything loads, with use_peft named as the way out.
import { readCheckpointConfig } from "../checkpoint/index";
import type { GPTConfig } from "../model/config";
import { paramShapes, type GPT } from "../model/gpt";
import type { LoraSettings } from "../model/lora";
import type { ScalarHead } from "../model/heads";
import type { RunContext } from "../runs/types";
import { RunInputError } from "../runs/errors";
import { promptsInSplit } from "../../server/services/prompts";
import { buildPrompt } from "../tokenizer/index";
import { loadPolicy, loadRewardModel, type LoadedPolicy } from "./models";

export interface OnlineModels {
  policy: LoadedPolicy;
  reference: GPT;
  rm: { gpt: GPT; head: ScalarHead };
  /** Tokenized train prompts short enough for `completionLength` new tokens (and the EOS the RM may append). */
  prompts: number[][];
  dispose(): void;
}

/** The wasm backend's whole heap: wasm32 addresses 4 GiB, and every tensor of a run lives in it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/**
 * Kept free of parameter state for activations, full-vocabulary logits, the sampler's KV caches and the load's
 * transient copies. Half the heap, as measured at GPT-2 small: SFT's 1.9 GiB of weights, gradients and Adam state
 * trains; GRPO's 2.8 GiB (policy, reference, RM, gradients, Adam) aborted with the heap exhausted in its first iteration.
 */
const ACTIVATION_RESERVE_BYTES = 2 * 2 ** 30;

export function gptParamCount(c: GPTConfig): number {
  return paramShapes(c).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Bytes of float32 parameter state a full fine-tune of an online run holds: the policy and its reference, the RM,
 * PPO's critic (a copy of the RM), and for each trained model its gradients and Adam's two moments.
 */
export function fullFinetuneBytes(policyParams: number, rmParams: number, critic: boolean): number {
  const weights = 2 * policyParams + rmParams + (critic ? rmParams : 0);
  const trained = policyParams + (critic ? rmParams : 0);
  return 4 * (weights + 3 * trained);
}

/** The one-line refusal for a full fine-tune that cannot fit, or null when it may. */
export function fullFinetuneProblem(kind: string, policy: GPTConfig, rm: GPTConfig, critic: boolean): string | null {
  const p = gptParamCount(policy);
  const bytes = fullFinetuneBytes(p, gptParamCount(rm), critic);
  if (bytes <= WASM_HEAP_BYTES - ACTIVATION_RESERVE_BYTES) return null;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  return `${kind}: full fine-tuning a ${(p / 1e6).toFixed(0)}M-parameter policy needs about ${gib(bytes)} GiB for the policy, reference, reward model${critic ? ", critic" : ""}, gradients and Adam state, more than the ${gib(WASM_HEAP_BYTES - ACTIVATION_RESERVE_BYTES)} GiB of the wasm heap's ${gib(WASM_HEAP_BYTES)} GiB that can hold them beside activations; set "use_peft": true to train LoRA adapters with the base shared by policy and reference`;
}

export async function loadOnlineModels(ctx: RunContext<unknown>, completionLength: number, opts: { lora: LoraSettings | null; critic: boolean }): Promise<OnlineModels> {
  if (!opts.lora) {
    const problem = fullFinetuneProblem(ctx.run.kind, readCheckpointConfig(ctx.base!.dir).config, readCheckpointConfig(ctx.reward!.dir).config, opts.critic);
    if (problem) throw new RunInputError(problem);
  }
  const disposers: Array<() => void> = [];
  const dispose = () => disposers.splice(0).reverse().forEach((d) => d());
  try {
    const rm = await loadRewardModel(ctx.reward!);
    disposers.push(() => (rm.model.dispose(), rm.head.dispose()));
    const policy = await loadPolicy(ctx.base!);
    disposers.push(() => policy.model.dispose());
    if (opts.lora) {
      policy.model.attachLora(opts.lora);
      ctx.log(`LoRA: r ${opts.lora.r}, alpha ${opts.lora.alpha} on ${opts.lora.targetModules.join(", ")}: ${policy.model.numTrainableParams()} trainable of ${policy.model.numParams()} parameters; the reference is the base with adapters off`);
    }
    // Disposed before the policy (disposers run in reverse): a view frees nothing of the policy's.
    const reference = opts.lora ? { model: policy.model.baseView() } : await loadPolicy(ctx.base!);
    disposers.push(() => reference.model.dispose());
    const room = policy.model.config.n_positions - completionLength - 1;
    const prompts = promptsInSplit(ctx.db, "train").map((p) => buildPrompt(policy.tokenizer, p.text)).filter((p) => p.length <= room);
    if (prompts.length === 0) throw new RunInputError(`every train prompt is longer than the model's context allows with ${completionLength} new tokens`);
    return { policy, reference: reference.model, rm: { gpt: rm.model, head: rm.head }, prompts, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}
