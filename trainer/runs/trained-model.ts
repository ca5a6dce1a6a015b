// How a run saves what it trained: a full checkpoint, or with use_peft only its LoRA adapter, in PEFT's layout over
// the run's base, and the registry config that says which (models.config {"adapter": true, ...}; path = the
// adapter directory, parent = the base). Every trainer's RunOutput goes through here.
import { saveCheckpoint, type HeadKind } from "../checkpoint/index";
import { saveAdapter } from "../checkpoint/peft";
import type { GPT } from "../model/gpt";
import type { ScalarHead } from "../model/heads";
import type { TokenizerName } from "../tokenizer/index";
import type { ModelInput } from "./types";

export interface SaveTrainedOptions {
  base: ModelInput;
  tokenizer: TokenizerName;
  head?: { kind: HeadKind; module: ScalarHead };
  meta?: Record<string, unknown>;
}

/** RunOutput.save for a trained model: the adapter alone while LoRA is attached, else the whole checkpoint. */
export function saveTrainedModel(model: GPT, opts: SaveTrainedOptions): (dir: string) => Promise<void> {
  return (dir) =>
    model.lora
      ? saveAdapter(dir, model, { baseDir: opts.base.dir, tokenizer: opts.tokenizer, head: opts.head, meta: opts.meta })
      : saveCheckpoint(dir, model, { tokenizer: opts.tokenizer, head: opts.head, meta: opts.meta });
}

/** What the registry records about an adapter model (spread into RunOutput.modelConfig); {} for a full model. */
export function adapterRegistryConfig(model: GPT, base: ModelInput): Record<string, unknown> {
  const lora = model.lora;
  if (!lora) return {};
  const s = lora.settings;
  return {
    adapter: true,
    base_model: base.label,
    lora: { r: s.r, lora_alpha: s.alpha, lora_dropout: s.dropout, target_modules: s.targetModules },
    n_trainable_params: model.numTrainableParams(),
  };
}
