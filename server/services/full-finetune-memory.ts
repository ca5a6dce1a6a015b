// Whether a full fine-tune of an online RL run (policy, reference, RM, PPO's critic, gradients and Adam state) fits
// the wasm heap, from parameter counts alone: run creation refuses one that cannot before any run exists, and the
// trainer checks again at start (a queued run, a checkpoint changed since). No tfjs, so the web app may call it.

/** The wasm backend's whole heap: wasm32 addresses 4 GiB, and every tensor of a run lives in it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/**
 * Kept free of parameter state for activations, full-vocabulary logits, the sampler's KV caches and the load's
 * transient copies. Half the heap, as measured at GPT-2 small: SFT's 1.9 GiB of weights, gradients and Adam state
 * trains; GRPO's 2.8 GiB (policy, reference, RM, gradients, Adam) aborted with the heap exhausted in its first iteration.
 */
const ACTIVATION_RESERVE_BYTES = 2 * 2 ** 30;

/** The model shape fields the count reads (HF GPT2Config names; n_ctx is GPT-2's older name for n_positions). */
export interface GptShape {
  vocab_size: number;
  n_positions: number;
  n_embd: number;
  n_layer: number;
}

/**
 * Parameters of a GPT-2 (tied embeddings): wte and wpe, per block two LayerNorms, c_attn, attn.c_proj, c_fc and
 * mlp.c_proj (12·D² + 13·D), and ln_f. trainer/model/gpt.ts paramShapes is the layout; a test checks they agree.
 */
export function gptParamCount(c: GptShape): number {
  const D = c.n_embd;
  return c.vocab_size * D + c.n_positions * D + c.n_layer * (12 * D * D + 13 * D) + 2 * D;
}

/** The shape from a checkpoint's raw config.json, or null when it lacks the fields (the load reports that). */
export function gptShapeOf(config: Record<string, unknown>): GptShape | null {
  const shape = { vocab_size: config.vocab_size, n_positions: config.n_positions ?? config.n_ctx, n_embd: config.n_embd, n_layer: config.n_layer };
  return Object.values(shape).every((v) => Number.isInteger(v) && (v as number) > 0) ? (shape as GptShape) : null;
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
export function fullFinetuneProblem(kind: string, policy: GptShape, rm: GptShape, critic: boolean): string | null {
  const p = gptParamCount(policy);
  const bytes = fullFinetuneBytes(p, gptParamCount(rm), critic);
  if (bytes <= WASM_HEAP_BYTES - ACTIVATION_RESERVE_BYTES) return null;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  return `${kind}: full fine-tuning a ${(p / 1e6).toFixed(0)}M-parameter policy needs about ${gib(bytes)} GiB for the policy, reference, reward model${critic ? ", critic" : ""}, gradients and Adam state, more than the ${gib(WASM_HEAP_BYTES - ACTIVATION_RESERVE_BYTES)} GiB of the wasm heap's ${gib(WASM_HEAP_BYTES)} GiB that can hold them beside activations; set "use_peft": true to train LoRA adapters with the base shared by policy and reference`;
}
