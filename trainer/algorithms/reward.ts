// Run kind 'reward' for the run framework: loads the base policy as the RM backbone, reads every usable ranking,
// trains and normalises the RM (trainer/rl/reward.ts) and hands back a checkpoint with a reward head.
import type { RunAlgorithm } from "../runs/types";
import { rankedExamples } from "../../server/services/datasets";
import { projectScope } from "../../server/services/run-creation";

export const algorithm: RunAlgorithm<"reward"> = {
  kind: "reward",
  async train(ctx) {
    const { initBackend } = await import("../backend/index");
    const { ScalarHead } = await import("../model/heads");
    const { trainRewardModel } = await import("../rl/reward");
    const { encoderFor, loadPolicy, sampleTexts } = await import("../rl/models");
    const { loraSettingsFrom } = await import("../model/lora");
    const { adapterRegistryConfig, saveTrainedModel } = await import("../runs/trained-model");
    const { ResumeStore } = await import("../checkpoint/resume");
    const cfg = ctx.config;
    ctx.log(`tfjs backend: ${await initBackend()}`);
    const base = await loadPolicy(ctx.base!);
    const head = new ScalarHead(base.model.config.n_embd, { seed: cfg.seed });
    // With LoRA the backbone's adapters and the scalar head train; the base weights stay as they are.
    const lora = loraSettingsFrom(cfg);
    if (lora) base.model.attachLora(lora);
    const rankings = await rankedExamples(ctx.db, { projectId: await projectScope(ctx.db, cfg.project) });
    // Reference samples for the normalisation: the base policy (PPO's reference) on the rankings' train prompts.
    const trainPrompts = [...new Set(rankings.filter((r) => r.split === "train").map((r) => r.prompt))];
    try {
      const result = await trainRewardModel({
        gpt: base.model,
        head,
        encode: encoderFor(base.tokenizer),
        padId: base.tokenizer.padId,
        rankings,
        referenceSamples: async (n, seed) => {
          const pool = trainPrompts.length ? trainPrompts : rankings.map((r) => r.prompt);
          const chosen = Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
          // With LoRA the base policy itself samples (adapters off); a view shares its weights.
          const sampler = lora ? base.model.baseView() : base.model;
          try {
            return await sampleTexts(sampler, base.tokenizer, chosen, { maxNewTokens: 64, seed: seed + 1 });
          } finally {
            if (sampler !== base.model) sampler.dispose();
          }
        },
        config: cfg,
        ctx,
        resume: new ResumeStore(ctx.scratchDir),
      });
      const metrics = {
        "eval/accuracy": result.heldOutRankings ? result.eval.accuracy : null,
        "eval/loss": result.heldOutRankings ? result.eval.loss : null,
        "eval/pairs": result.eval.pairs,
        steps: result.steps,
        train_rankings: result.trainRankings,
        norm_mean: result.normalization?.mean ?? null,
        norm_std: result.normalization?.std ?? null,
      };
      return {
        tokenizer: base.tokenizerName,
        modelConfig: { ...base.model.config, head: "reward", rm: cfg, ...adapterRegistryConfig(base.model, ctx.base!) },
        metrics,
        save: saveTrainedModel(base.model, {
          base: ctx.base!,
          tokenizer: base.tokenizerName,
          head: { kind: "reward", module: head },
          meta: { normalization: result.normalization, trained_on_rankings: result.trainRankings },
        }),
        dispose: () => {
          base.model.dispose();
          head.dispose();
        },
      };
    } catch (err) {
      base.model.dispose();
      head.dispose();
      throw err;
    }
  },
};
