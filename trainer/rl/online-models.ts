// Loading what a critic-free online run (GRPO, RLOO) holds in memory: the policy, the frozen reference (= the base)
// and the frozen RM, plus the train prompts that leave room for a completion. PPO adds a critic to the same three.
// With LoRA the reference is the policy's base seen without adapters (one copy of the weights); without it, a model
// whose full fine-tune cannot fit the wasm heap is refused before anything loads, with use_peft named as the way out.
import { readCheckpointConfig } from "../checkpoint/index";
import type { GPT } from "../model/gpt";
import { fullFinetuneProblem } from "../../server/services/full-finetune-memory";
import type { LoraSettings } from "../model/lora";
import type { ScalarHead } from "../model/heads";
import type { RunContext } from "../runs/types";
import { RunInputError } from "../runs/errors";
import { promptsInSplit } from "../../server/services/prompts";
import { projectScope } from "../../server/services/run-creation";
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
    // The run's project only (every kind's config has `project`; empty means every project).
    const projectId = await projectScope(ctx.db, (ctx.config as { project?: unknown }).project);
    const prompts = (await promptsInSplit(ctx.db, "train", projectId)).map((p) => buildPrompt(policy.tokenizer, p.text)).filter((p) => p.length <= room);
    if (prompts.length === 0) throw new RunInputError(`every train prompt is longer than the model's context allows with ${completionLength} new tokens`);
    return { policy, reference: reference.model, rm: { gpt: rm.model, head: rm.head }, prompts, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}
