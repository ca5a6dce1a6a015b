// LoRA on the tiny model: a fresh adapter changes nothing, SFT with adapters lowers the loss while the base weights
// stay bit-identical, the base view is the reference, and save (PEFT's layout) → load → merge keeps the logits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index";
import { loadCheckpoint, saveCheckpoint } from "../../trainer/checkpoint/index";
import { peftTensorName, readAdapter, saveAdapter } from "../../trainer/checkpoint/peft";
import { readSafetensors } from "../../trainer/checkpoint/safetensors";
import { PRESETS } from "../../trainer/model/config";
import { GPT, paramShapes } from "../../trainer/model/gpt";
import { fullFinetuneProblem, gptParamCount } from "../../server/services/full-finetune-memory";
import { ScalarHead } from "../../trainer/model/heads";
import { parseRunConfig } from "../../server/services/run-kinds/index";
import { trainSFT } from "../../trainer/sft/trainer";
import { buildExample, getTokenizer } from "../../trainer/tokenizer/index";

const tok = getTokenizer("byte");
const TINY = { vocab_size: 260, n_positions: 64, n_embd: 32, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 };
const LORA = { r: 4, alpha: 8, dropout: 0, targetModules: ["c_attn", "c_proj", "c_fc"], seed: 1 };
const WORDS = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tea", "cake"];
const train = WORDS.map((w) => buildExample(tok, `Say ${w}.`, `Sure: ${w}, ${w}.`));
const ids = () => tf.tensor2d([[72, 105, 33, 256, 5, 9], [10, 11, 12, 13, 14, 15]], [2, 6], "int32");
let tmp: string;

async function logits(model: GPT, opts: { adapters?: boolean } = {}): Promise<Float32Array> {
  const x = ids();
  const { logits: l, hidden } = model.forward(x, opts);
  const out = (await l.data()) as Float32Array;
  tf.dispose([x, l, hidden]);
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Random adapter values, so a test sees a real (non-zero) delta. */
function randomizeAdapters(model: GPT, seed: number): void {
  for (const v of model.lora!.params.values()) v.assign(tf.randomNormal(v.shape, 0, 0.05, "float32", seed++));
}

beforeAll(async () => {
  await initBackend("wasm");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-lora-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("LoRA adapters", () => {
  it("with B at zero the output equals the base's, and adapters off / the base view give the base", async () => {
    const model = new GPT(TINY, { seed: 3 });
    const base = await logits(model);
    model.attachLora(LORA);
    expect(maxDiff(await logits(model), base)).toBe(0);
    randomizeAdapters(model, 7);
    expect(maxDiff(await logits(model), base)).toBeGreaterThan(1e-4);
    expect(maxDiff(await logits(model, { adapters: false }), base)).toBe(0);
    const view = model.baseView();
    expect(maxDiff(await logits(view), base)).toBe(0);
    expect(view.params.get("wte.weight")).toBe(model.params.get("wte.weight")); // one copy of the weights
    view.dispose();
    expect(model.params.get("wte.weight")!.isDisposed).toBe(false);
    expect(model.trainableParams().size).toBe(2 * 4 * TINY.n_layer); // A and B on 4 projections per block
    model.dispose();
  });

  it("a few SFT steps lower the loss, with Adam over the adapters only and the base bit-identical", async () => {
    const model = new GPT(TINY, { seed: 4 });
    model.attachLora({ ...LORA, dropout: 0.05 });
    const before = new Map([...model.params].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
    const losses: number[] = [];
    const hooks = { log: () => {}, progress: () => {}, isCancelled: () => false, reportMetrics: (_s: number, m: Record<string, number>) => void (m["train/loss"] !== undefined && losses.push(m["train/loss"])) };
    const config = parseRunConfig("sft", { learning_rate: 1e-2, lr_scheduler_type: "constant", batch_size: 9, max_steps: 20, warmup_ratio: 0, eval_steps: 100, load_best_model_at_end: false, use_peft: true });
    const result = await trainSFT({ model, config, train, eval: [], padId: tok.padId, hooks });
    expect(losses.length).toBe(20);
    // A random tiny base gives the adapters little to steer; measured 5.58 → 5.17 in 20 steps.
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 0.3);
    for (const [name, v] of model.params) expect(Buffer.from((v.dataSync() as Float32Array).buffer).equals(Buffer.from(before.get(name)!.buffer)), name).toBe(true);
    expect([...result.adam.params.keys()].every((n) => n.includes(".lora_"))).toBe(true);
    result.adam.dispose();
    model.dispose();
  });

  it("save (PEFT layout) → load → merge gives the same logits as base + adapter", async () => {
    const baseDir = path.join(tmp, "base");
    const model = new GPT(TINY, { seed: 5 });
    await saveCheckpoint(baseDir, model, { tokenizer: "byte" });
    model.attachLora(LORA);
    randomizeAdapters(model, 11);
    const adapted = await logits(model);
    const adapterDir = path.join(tmp, "adapter");
    await saveAdapter(adapterDir, model, { baseDir, tokenizer: "byte", meta: { sft: { run: "r1" } } });

    // The PEFT layout: adapter_config.json keys, tensor names, and torch nn.Linear shapes.
    const config = JSON.parse(fs.readFileSync(path.join(adapterDir, "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, lora_dropout: 0, fan_in_fan_out: true, bias: "none", base_model_name_or_path: path.resolve(baseDir) });
    expect(config.target_modules).toEqual(["c_attn", "c_proj", "c_fc"]);
    expect(fs.existsSync(path.join(adapterDir, "config.json"))).toBe(false);
    const { tensors, metadata } = readSafetensors(path.join(adapterDir, "adapter_model.safetensors"));
    expect(metadata.format).toBe("pt");
    const D = TINY.n_embd;
    expect(tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight")!.shape).toEqual([4, D]);
    expect(tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")!.shape).toEqual([3 * D, 4]);
    expect(tensors.get(peftTensorName("h.1.mlp.c_fc", "lora_B"))!.shape).toEqual([4 * D, 4]);
    expect(tensors.get(peftTensorName("h.1.mlp.c_proj", "lora_A"))!.shape).toEqual([4, 4 * D]);
    expect(tensors.size).toBe(2 * 4 * TINY.n_layer);
    // Read back into our layout, value for value.
    const back = readAdapter(adapterDir);
    const a0 = model.lora!.params.get("h.0.attn.c_attn.lora_A")!.dataSync();
    expect(Array.from(back.weights.get("h.0.attn.c_attn.lora_A")!)).toEqual(Array.from(a0));

    // Loading the adapter directory gives base + adapter, merged.
    const loaded = await loadCheckpoint(adapterDir);
    expect(loaded.model.lora).toBeNull();
    expect(loaded.tokenizer).toBe("byte");
    expect(maxDiff(await logits(loaded.model), adapted)).toBeLessThan(1e-5);
    // Merging in place and saving a plain checkpoint keeps the logits too.
    model.mergeLora();
    expect(maxDiff(await logits(model), adapted)).toBeLessThan(1e-5);
    const mergedDir = path.join(tmp, "merged");
    await saveCheckpoint(mergedDir, model, { tokenizer: "byte" });
    const merged = await loadCheckpoint(mergedDir);
    expect(maxDiff(await logits(merged.model), adapted)).toBeLessThan(1e-5);
    for (const m of [model, loaded.model, merged.model]) m.dispose();
  });

  it("a reward model's adapter carries its head as PEFT's modules_to_save", async () => {
    const baseDir = path.join(tmp, "rm-base");
    const model = new GPT(TINY, { seed: 6 });
    await saveCheckpoint(baseDir, model, { tokenizer: "byte" });
    model.attachLora(LORA);
    randomizeAdapters(model, 21);
    const head = new ScalarHead(TINY.n_embd, { seed: 2 });
    const dir = path.join(tmp, "rm-adapter");
    await saveAdapter(dir, model, { baseDir, tokenizer: "byte", head: { kind: "reward", module: head } });
    const config = JSON.parse(fs.readFileSync(path.join(dir, "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ task_type: "SEQ_CLS", modules_to_save: ["score"] });
    expect(readSafetensors(path.join(dir, "adapter_model.safetensors")).tensors.get("base_model.model.score.weight")!.shape).toEqual([1, TINY.n_embd]);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.headKind).toBe("reward");
    const x = ids();
    const want = tf.tidy(() => head.apply(model.hiddenStates(x)));
    const got = tf.tidy(() => loaded.head!.apply(loaded.model.hiddenStates(x)));
    expect(maxDiff((await got.data()) as Float32Array, (await want.data()) as Float32Array)).toBeLessThan(1e-5);
    tf.dispose([x, want, got]);
    for (const m of [model, loaded.model]) m.dispose();
    head.dispose();
    loaded.head!.dispose();
  });

  it("refuses, in one line naming use_peft, an online full fine-tune whose weights and Adam state overfill the wasm heap", () => {
    const gpt2 = PRESETS.gpt2!;
    expect(gptParamCount(gpt2)).toBe(124_439_808);
    for (const c of [gpt2, TINY]) expect(gptParamCount(c)).toBe(paramShapes(c).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0));
    const ppo = fullFinetuneProblem("ppo", gpt2, gpt2, true)!;
    expect(ppo).toMatch(/^ppo: full fine-tuning a 124M-parameter policy needs about 4\.6 GiB .*; set "use_peft": true to train LoRA adapters/);
    expect(ppo).not.toContain("\n");
    // GRPO keeps no critic, but policy, reference, RM, gradients and Adam (2.8 GiB) aborted at GPT-2 small too.
    expect(fullFinetuneProblem("grpo", gpt2, gpt2, false)).toMatch(/^grpo: full fine-tuning a 124M-parameter policy needs about 2\.8 GiB .*use_peft/);
    expect(fullFinetuneProblem("grpo", TINY, TINY, false)).toBeNull();
  });
});
