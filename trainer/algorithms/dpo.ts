// Run kind 'dpo' for the run framework: the base as both the trained policy and the frozen reference, preference
// pairs derived from every usable ranking, trainer/rl/dpo.ts, and the policy saved.
import type { RunAlgorithm } from "../runs/types";
import { preferencePairs } from "../../server/services/datasets";
import { projectScope } from "../../server/services/run-creation";

export const algorithm: RunAlgorithm<"dpo"> = {
  kind: "dpo",
  async train(ctx) {
    const { initBackend } = await import("../backend/index");
    const { trainDPO } = await import("../rl/dpo");
    const { encoderFor, loadPolicy } = await import("../rl/models");
    const { loraSettingsFrom } = await import("../model/lora");
    const { adapterRegistryConfig, saveTrainedModel } = await import("../runs/trained-model");
    const { ResumeStore } = await import("../checkpoint/resume");
    const cfg = ctx.config;
    ctx.log(`tfjs backend: ${await initBackend()}`);
    const policy = await loadPolicy(ctx.base!);
    const lora = loraSettingsFrom(cfg);
    // With LoRA the reference is the policy's own base with the adapters off: one copy of the weights.
    if (lora) policy.model.attachLora(lora);
    const reference = lora ? { model: policy.model.baseView() } : await loadPolicy(ctx.base!);
    let referenceHeld = true;
    const releaseReference = () => {
      if (referenceHeld) reference.model.dispose();
      referenceHeld = false;
    };
    const dispose = () => {
      releaseReference();
      policy.model.dispose();
    };
    try {
      const result = await trainDPO({
        policy: policy.model,
        reference: reference.model,
        encode: encoderFor(policy.tokenizer),
        padId: policy.tokenizer.padId,
        pairs: await preferencePairs(ctx.db, { projectId: await projectScope(ctx.db, ctx.config.project) }),
        config: cfg,
        ctx,
        releaseReference,
        resume: new ResumeStore(ctx.scratchDir),
      });
      return {
        tokenizer: policy.tokenizerName,
        modelConfig: { ...policy.model.config, dpo: cfg, ...adapterRegistryConfig(policy.model, ctx.base!) },
        metrics: {
          loss: result.lastMetrics["train/loss"] ?? null,
          reward_margin: result.lastMetrics["rewards/margins"] ?? null,
          accuracy: result.lastMetrics["rewards/accuracies"] ?? null,
          "eval/loss": result.eval?.loss ?? null,
          "eval/rewards/margins": result.eval?.margin ?? null,
          "eval/rewards/accuracies": result.eval?.accuracy ?? null,
          steps: result.steps,
          train_pairs: result.trainPairs,
        },
        save: saveTrainedModel(policy.model, { base: ctx.base!, tokenizer: policy.tokenizerName, meta: { dpo: { beta: cfg.beta, loss_type: cfg.loss_type } } }),
        dispose,
      };
    } catch (err) {
      dispose();
      throw err;
    }
  },
};
