// The run-framework side of GRPO and RLOO, one function for both kinds: load the policy, reference and RM, train
// with trainer/rl/group.ts, hand back the policy to save. TensorFlow.js is imported lazily, so queuing stays light.
import type { RunAlgorithm } from "../runs/types";

export function groupRunAlgorithm<K extends "grpo" | "rloo">(kind: K): RunAlgorithm<K> {
  return {
    kind,
    async train(ctx) {
      const { initBackend } = await import("../backend/index");
      const { trainGroupPolicy } = await import("./group");
      const { loadOnlineModels } = await import("./online-models");
      const { samplerFor } = await import("./models");
      const { loraSettingsFrom } = await import("../model/lora");
      const { adapterRegistryConfig, saveTrainedModel } = await import("../runs/trained-model");
      const { ResumeStore } = await import("../checkpoint/resume");
      const cfg = ctx.config;
      ctx.log(`tfjs backend: ${await initBackend()}`);
      const models = await loadOnlineModels(ctx, cfg.max_completion_length, { lora: loraSettingsFrom(cfg), critic: false });
      try {
        const { policy } = models;
        ctx.setProgressTotal?.(cfg.max_steps, "iter");
        ctx.log(`${kind}: ${models.prompts.length} train prompts, ${cfg.batch_size / cfg.num_generations} prompts × ${cfg.num_generations} completions per rollout, β ${cfg.beta}${cfg.adaptive_kl ? ` (adaptive, target ${cfg.target_kl})` : ""}`);
        const result = await trainGroupPolicy({
          policy: policy.model,
          reference: models.reference,
          reward: models.rm,
          prompts: models.prompts,
          eosId: policy.tokenizer.eosId,
          padId: policy.tokenizer.padId,
          sample: samplerFor(policy.tokenizer),
          algorithm: { kind, config: cfg } as Parameters<typeof trainGroupPolicy>[0]["algorithm"],
          ctx,
          resume: new ResumeStore(ctx.scratchDir),
        });
        const last = result.lastMetrics;
        return {
          tokenizer: policy.tokenizerName,
          modelConfig: { ...policy.model.config, [kind]: cfg, ...adapterRegistryConfig(policy.model, ctx.base!) },
          // The line's kl is PPO's: mean per-sequence KL to the reference on the last rollout, in nats. The chart's
          // `kl` is TRL's per-token mean.
          metrics: { ...last, reward_mean: last.reward ?? null, kl: last["objective/kl"] ?? null },
          save: saveTrainedModel(policy.model, { base: ctx.base!, tokenizer: policy.tokenizerName, meta: { [kind]: { iterations: result.iterations } } }),
          dispose: models.dispose,
        };
      } catch (err) {
        models.dispose();
        throw err;
      }
    },
  };
}
