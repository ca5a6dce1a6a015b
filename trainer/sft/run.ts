// One SFT run inside the run framework: load the base policy, read the demonstrations, train (from the run's last
// resumable save when it has one), and hand back a checkpoint writer with the optimizer state so the model can be
// trained on.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index";
import { loadCheckpoint, saveCheckpoint } from "../checkpoint/index";
import { saveAdapter } from "../checkpoint/peft";
import { ResumeStore } from "../checkpoint/resume";
import type { GPT } from "../model/gpt";
import { loraSettingsFrom } from "../model/lora";
import { adapterRegistryConfig } from "../runs/trained-model";
import type { Adam, OptimizerState } from "../model/adam";
import type { RunContext, RunOutput } from "../runs/types";
import { getTokenizer, type TokenizerName } from "../tokenizer/index";
import type { SFTConfig } from "../../server/services/run-kinds/sft-config";
import { sftDatasets } from "./data";
import { totalSteps, trainSFT } from "./trainer";

function disposeState(state: OptimizerState): void {
  tf.dispose([...state.tensors.values()]);
}

/**
 * Saves weights (or, with LoRA, the adapter over `baseDir`) + optimizer state; the exported state copies are freed
 * even when saving fails.
 */
async function saveWithOptimizer(dir: string, ctx: { model: GPT; adam: Adam; tokenizer: TokenizerName; meta: Record<string, unknown>; baseDir: string }) {
  const optimizer = ctx.adam.exportState();
  try {
    if (ctx.model.lora) await saveAdapter(dir, ctx.model, { baseDir: ctx.baseDir, tokenizer: ctx.tokenizer, optimizer, meta: ctx.meta });
    else await saveCheckpoint(dir, ctx.model, { tokenizer: ctx.tokenizer, optimizer, meta: ctx.meta });
  } finally {
    disposeState(optimizer);
  }
}

export async function runSFT(ctx: RunContext<SFTConfig>): Promise<RunOutput> {
  const config = ctx.config;
  const backend = await initBackend();
  ctx.log(`tfjs backend: ${backend}`);
  const lora = loraSettingsFrom(config);
  // A resumed run starts from the base too: trainSFT puts the saved weights (with LoRA the adapters) and Adam back.
  const loaded = await loadCheckpoint(ctx.base!.dir);
  const { model } = loaded;
  tf.dispose([...loaded.extraTensors.values()]);
  loaded.head?.dispose();
  try {
    if (lora) {
      model.attachLora(lora);
      ctx.log(`LoRA: r ${lora.r}, alpha ${lora.alpha} on ${lora.targetModules.join(", ")}: ${model.numTrainableParams()} trainable of ${model.numParams()} parameters`);
    }
    const tok = getTokenizer(loaded.tokenizer);
    const data = await sftDatasets(ctx.db, config, tok, model.config.n_positions);
    if (data.dropped) ctx.log(`dropped ${data.dropped} demonstrations whose response did not fit in max_length`, "warn");
    ctx.log(`base ${ctx.base!.label}: ${model.numParams()} parameters, tokenizer ${loaded.tokenizer}; eval on ${data.evalSource} (${data.eval.length})`);
    ctx.setProgressTotal(totalSteps(config, data.train.length), "step");
    const meta = { sft: { run: ctx.runId, base: ctx.base!.label } };
    const result = await trainSFT({
      model,
      config,
      train: data.train,
      eval: data.eval,
      padId: tok.padId,
      hooks: ctx,
      resume: new ResumeStore(ctx.scratchDir),
    });
    const metrics = {
      steps: result.steps,
      "train/loss": result.finalTrainLoss,
      "eval/loss": result.finalEvalLoss,
      best_eval_loss: result.bestEvalLoss,
      best_step: result.bestStep,
      train_examples: data.train.length,
      eval_examples: data.eval.length,
    };
    return {
      tokenizer: loaded.tokenizer,
      metrics,
      modelConfig: { ...model.config, n_params: model.numParams(), eval_source: data.evalSource, ...adapterRegistryConfig(model, ctx.base!) },
      save: (dir) => saveWithOptimizer(dir, { model, adam: result.adam, tokenizer: loaded.tokenizer, meta: { ...meta, metrics }, baseDir: ctx.base!.dir }),
      dispose: () => {
        result.adam.dispose();
        model.dispose();
      },
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
