// Run kind 'ppo' for the run framework: four models in memory (the policy with its value head or a critic, the
// frozen reference = the base, the frozen RM), train-split prompts, trainer/rl/ppo.ts, and the policy saved.
import type { RunAlgorithm } from "../runs/types";

export const algorithm: RunAlgorithm<"ppo"> = {
  kind: "ppo",
  async train(ctx) {
    const { initBackend } = await import("../backend/index");
    const { ScalarHead } = await import("../model/heads");
    const { trainPPO } = await import("../rl/ppo");
    const { loadRewardModel, samplerFor } = await import("../rl/models");
    const { loadOnlineModels } = await import("../rl/online-models");
    const { loraSettingsFrom } = await import("../model/lora");
    const { adapterRegistryConfig, saveTrainedModel } = await import("../runs/trained-model");
    const { ResumeStore } = await import("../checkpoint/resume");
    const cfg = ctx.config;
    ctx.log(`tfjs backend: ${await initBackend()}`);
    const lora = loraSettingsFrom(cfg);
    // The policy, reference and RM as every online trainer loads them; PPO adds its value model.
    const models = await loadOnlineModels(ctx, cfg.response_length, { lora, critic: cfg.value_model === "rm_critic" });
    const disposers: Array<() => void> = [models.dispose];
    const disposeAll = () => disposers.splice(0).reverse().forEach((d) => d());
    try {
      const { policy } = models;
      let valueHead: InstanceType<typeof ScalarHead> | undefined;
      let critic: { gpt: typeof models.rm.gpt; head: typeof models.rm.head } | undefined;
      if (cfg.value_model === "rm_critic" && lora) {
        // The critic is the RM's weights (shared, frozen) with adapters of its own and a trained copy of its head.
        const gpt = models.rm.gpt.baseView();
        gpt.attachLora({ ...lora, seed: (lora.seed ?? 0) + 1 });
        const weights = new Map([...models.rm.head.params].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
        const head = new ScalarHead(gpt.config.n_embd, { weights });
        critic = { gpt, head };
        disposers.push(() => (gpt.dispose(), head.dispose()));
      } else if (cfg.value_model === "rm_critic") {
        const c = await loadRewardModel(ctx.reward!);
        critic = { gpt: c.model, head: c.head };
        disposers.push(() => (c.model.dispose(), c.head.dispose()));
      } else {
        // Zero init: the first value estimates are neutral rather than random, so early advantages are just returns.
        valueHead = new ScalarHead(policy.model.config.n_embd, { init: "zeros" });
        disposers.push(() => valueHead!.dispose());
      }
      ctx.setProgressTotal?.(cfg.max_steps, "iter");
      ctx.log(`ppo: ${models.prompts.length} train prompts, value model ${cfg.value_model}, β ${cfg.beta}${cfg.adaptive_kl ? ` (adaptive, target ${cfg.target_kl})` : ""}`);
      const result = await trainPPO({
        policy: policy.model,
        valueHead,
        critic,
        reference: models.reference,
        reward: models.rm,
        prompts: models.prompts,
        eosId: policy.tokenizer.eosId,
        padId: policy.tokenizer.padId,
        sample: samplerFor(policy.tokenizer),
        config: cfg,
        ctx,
        resume: new ResumeStore(ctx.scratchDir),
      });
      const last = result.lastMetrics;
      return {
        tokenizer: policy.tokenizerName,
        modelConfig: { ...policy.model.config, ppo: cfg, ...adapterRegistryConfig(policy.model, ctx.base!) },
        metrics: { reward_mean: last["objective/scores"] ?? null, kl: last["objective/kl"] ?? null, ...last },
        save: saveTrainedModel(policy.model, { base: ctx.base!, tokenizer: policy.tokenizerName, meta: { ppo: { iterations: result.iterations } } }),
        dispose: disposeAll,
      };
    } catch (err) {
      disposeAll();
      throw err;
    }
  },
};
