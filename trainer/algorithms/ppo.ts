// Run kind 'ppo' for the run framework: four models in memory (the policy with its value head or a critic, the
// frozen reference = the base, the frozen RM), train-split prompts, trainer/rl/ppo.ts, and the policy saved.
import type { RunAlgorithm } from "../runs/types";
import { RunInputError } from "../runs/errors";
import { promptsInSplit } from "../../server/services/prompts";
import { projectScope } from "../../server/services/run-creation";

export const algorithm: RunAlgorithm<"ppo"> = {
  kind: "ppo",
  async train(ctx) {
    const { initBackend } = await import("../backend/index");
    const { ScalarHead } = await import("../model/heads");
    const { trainPPO } = await import("../rl/ppo");
    const { loadPolicy, loadRewardModel, samplerFor, saveCheckpoint } = await import("../rl/models");
    const { buildPrompt } = await import("../tokenizer/index");
    const cfg = ctx.config;
    ctx.log(`tfjs backend: ${await initBackend()}`);
    const disposers: Array<() => void> = [];
    const disposeAll = () => disposers.splice(0).reverse().forEach((d) => d());
    try {
      const rm = await loadRewardModel(ctx.reward!);
      disposers.push(() => (rm.model.dispose(), rm.head.dispose()));
      const policy = await loadPolicy(ctx.base!);
      disposers.push(() => policy.model.dispose());
      const reference = await loadPolicy(ctx.base!);
      disposers.push(() => reference.model.dispose());
      let valueHead: InstanceType<typeof ScalarHead> | undefined;
      let critic: { gpt: typeof rm.model; head: typeof rm.head } | undefined;
      if (cfg.value_model === "rm_critic") {
        const c = await loadRewardModel(ctx.reward!);
        critic = { gpt: c.model, head: c.head };
        disposers.push(() => (c.model.dispose(), c.head.dispose()));
      } else {
        // Zero init: the first value estimates are neutral rather than random, so early advantages are just returns.
        valueHead = new ScalarHead(policy.model.config.n_embd, { init: "zeros" });
        disposers.push(() => valueHead!.dispose());
      }
      const texts = promptsInSplit(ctx.db, "train", projectScope(ctx.db, ctx.config.project)).map((p) => p.text);
      // One position is kept free: the RM reads truncated responses with an EOS appended.
      const room = policy.model.config.n_positions - cfg.response_length - 1;
      const prompts = texts.map((t) => buildPrompt(policy.tokenizer, t)).filter((p) => p.length <= room);
      if (prompts.length === 0) throw new RunInputError(`every train prompt is longer than the model's context allows with response_length ${cfg.response_length}`);
      ctx.setProgressTotal?.(cfg.max_steps, "iter");
      ctx.log(`ppo: ${prompts.length} train prompts, value model ${cfg.value_model}, β ${cfg.beta}${cfg.adaptive_kl ? ` (adaptive, target ${cfg.target_kl})` : ""}`);
      const result = await trainPPO({
        policy: policy.model,
        valueHead,
        critic,
        reference: reference.model,
        reward: { gpt: rm.model, head: rm.head },
        prompts,
        eosId: policy.tokenizer.eosId,
        padId: policy.tokenizer.padId,
        sample: samplerFor(policy.tokenizer),
        config: cfg,
        ctx,
      });
      const last = result.lastMetrics;
      return {
        tokenizer: policy.tokenizerName,
        modelConfig: { ...policy.model.config, ppo: cfg },
        metrics: { reward_mean: last["objective/scores"] ?? null, kl: last["objective/kl"] ?? null, ...last },
        save: (dir) => saveCheckpoint(dir, policy.model, { tokenizer: policy.tokenizerName, meta: { ppo: { iterations: result.iterations } } }),
        dispose: disposeAll,
      };
    } catch (err) {
      disposeAll();
      throw err;
    }
  },
};
