// Turns a trainer's `gradient_checkpointing` setting into the model's switch (GPT.gradientCheckpointing), with "auto"
// deciding by size: past about 100M parameters the activations of a step, not the weights, fill the wasm heap.
import type { GPT } from "./gpt.js";

export type GradientCheckpointingSetting = "auto" | "on" | "off";

/** Parameters from which "auto" recomputes activations (GPT-2 small has 124M). */
export const AUTO_CHECKPOINTING_PARAMS = 100_000_000;

export function applyGradientCheckpointing(model: GPT, setting: GradientCheckpointingSetting, log?: (line: string) => void): boolean {
  // LoRA dropout draws a new mask on every forward pass, so a recomputed block would differ from the one whose output
  // the loss saw: with it, activations are kept (LoRA's small optimizer state leaves room for them).
  if (model.lora && model.lora.settings.dropout > 0) {
    if (setting === "on") log?.("gradient checkpointing off: LoRA dropout would draw different masks when a block is recomputed (set lora_dropout to 0 to use both)");
    model.gradientCheckpointing = false;
    return false;
  }
  const on = setting === "on" || (setting === "auto" && model.numParams() >= AUTO_CHECKPOINTING_PARAMS);
  model.gradientCheckpointing = on;
  if (on) log?.(`gradient checkpointing on (${setting === "auto" ? `auto: ${(model.numParams() / 1e6).toFixed(0)}M parameters` : "asked for"}): each block is recomputed in the backward pass`);
  return on;
}
