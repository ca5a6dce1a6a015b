// How long a resumable checkpoint (weights or adapters + Adam) takes to save and restore, and how big it is, at the
// built-in model's shape and at GPT-2 small's, full fine-tune and LoRA: what save_steps' defaults cost.
// node trainer/bin/run-ts.mjs trainer/bench/resume-save.ts builtin gpt2_small   (peak RSS: run it under /usr/bin/time -v)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { initBackend } from "../backend/index";
import { ResumeStore } from "../checkpoint/resume";
import { readCheckpointConfig } from "../checkpoint/index";
import { Adam } from "../model/adam";
import { GPT } from "../model/gpt";
import type { GPTConfig } from "../model/config";
import { BUILTIN_MODEL_DIR } from "../builtin/paths";

await initBackend("wasm");
const shapes: Record<string, GPTConfig> = {
  builtin: readCheckpointConfig(BUILTIN_MODEL_DIR).config,
  gpt2_small: { vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, layer_norm_epsilon: 1e-5 },
};
for (const which of process.argv.slice(2)) {
  if (!shapes[which]) {
    console.error(`resume-save: unknown shape '${which}'; use ${Object.keys(shapes).join(", ")}`);
    process.exit(2);
  }
  for (const lora of [false, true]) {
    const gpt = new GPT(shapes[which]!, { seed: 1 });
    if (lora) gpt.attachLora({ r: 16, alpha: 32, dropout: 0, targetModules: ["c_attn", "c_proj", "c_fc"] });
    const adam = new Adam(gpt.trainableParams(), { lr: 1e-4 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-"));
    const store = new ResumeStore(dir);
    let t = Date.now();
    await store.save(1, { params: gpt.trainableParams(), optimizers: { adam }, state: {} });
    const saveS = (Date.now() - t) / 1000;
    const bytes = fs.readdirSync(path.join(dir, "checkpoint-1")).reduce((n, f) => n + fs.statSync(path.join(dir, "checkpoint-1", f)).size, 0);
    t = Date.now();
    store.restore({ params: gpt.trainableParams(), optimizers: { adam } });
    const restoreS = (Date.now() - t) / 1000;
    console.log(JSON.stringify({ which, lora, params: gpt.numParams(), trainable: gpt.numTrainableParams(), mb: +(bytes / 2 ** 20).toFixed(1), save_s: saveS, restore_s: restoreS, rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) }));
    adam.dispose();
    gpt.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
