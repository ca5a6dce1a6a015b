// Checkpoints: bit-exact save/load (model, head, optimizer), HF GPT-2 fixture logits vs torch, readable errors.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { GPT } from "../../trainer/model/gpt.js";
import { ScalarHead } from "../../trainer/model/heads.js";
import { Adam, computeGrads } from "../../trainer/model/adam.js";
import { tokenLogprobs } from "../../trainer/model/ops.js";
import { loadCheckpoint, loadOptimizerState, readSafetensors, saveCheckpoint, saveOptimizerState, writeSafetensors } from "../../trainer/checkpoint/index.js";

const FIXTURE = path.resolve(__dirname, "../fixtures/hf-gpt2-tiny");
const tiny = { vocab_size: 40, n_positions: 16, n_embd: 16, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 };
let tmp: string;

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));
const oneLine = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  throw new Error("expected an error");
};
const oneLineAsync = async (fn: () => Promise<unknown>) => {
  const e = await fn().then(() => null, (err: Error) => err);
  expect(e).not.toBeNull();
  expect(e!.message).not.toContain("\n");
  return e!.message;
};

describe("checkpoints", () => {
  beforeAll(async () => {
    await initBackend("wasm");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-ckpt-"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("save → load round-trips model, head, extras and Adam state bit for bit", async () => {
    const model = new GPT(tiny, { seed: 3 });
    const head = new ScalarHead(16, { seed: 4 });
    const params = new Map([...model.params, ...head.params]);
    const adam = new Adam(params, { lr: 1e-2, eps: 1e-5, weightDecay: 0.1 });
    const ids = tf.tensor2d([[1, 2, 3, 4]], undefined, "int32");
    for (let s = 0; s < 2; s++) {
      const { loss, grads } = computeGrads(() => tf.tidy(() => tf.add(tf.neg(tf.mean(tokenLogprobs(tf.reshape(model.forward(ids).logits, [4, 40]) as tf.Tensor2D, tf.tensor1d([2, 3, 4, 5], "int32")))), tf.mean(head.apply(model.hiddenStates(ids))))) as tf.Scalar, params);
      adam.step(grads);
      tf.dispose([loss, ...grads.values()]);
    }
    const dir = path.join(tmp, "rm");
    const state = adam.exportState();
    await saveCheckpoint(dir, model, { tokenizer: "byte", head: { kind: "reward", module: head }, extraTensors: new Map([["reward_mean", tf.tensor1d([0.25])]]), meta: { run: 7 }, optimizer: state });
    expect(fs.readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors", "optimizer.safetensors"]);
    expect(fs.readdirSync(tmp).filter((n) => n.includes(".tmp-"))).toEqual([]);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    expect(cfg).toMatchObject({ model_type: "gpt2", n_embd: 16, rlhf: { tokenizer: "byte", head: "reward", run: 7 } });

    const loaded = await loadCheckpoint(dir, { withOptimizer: true });
    expect(loaded.tokenizer).toBe("byte");
    expect(loaded.headKind).toBe("reward");
    expect(loaded.meta).toEqual({ run: 7 });
    for (const [name, v] of model.params) expect(bits(loaded.model.params.get(name)!)).toEqual(bits(v));
    for (const [name, v] of head.params) expect(bits(loaded.head!.params.get(name)!)).toEqual(bits(v));
    expect(loaded.extraTensors.get("reward_mean")!.dataSync()[0]).toBe(0.25);
    expect(loaded.optimizer!.step).toBe(2);
    for (const [name, t] of state.tensors) expect(bits(loaded.optimizer!.tensors.get(name)!)).toEqual(bits(t));
    // A resumed optimizer continues exactly where the saved one stopped.
    const resumed = new Adam(new Map([...loaded.model.params, ...loaded.head!.params]), { lr: 1e-2, eps: 1e-5, weightDecay: 0.1 });
    resumed.importState(loaded.optimizer!);
    expect(resumed.stepCount).toBe(2);

    // Saving again over the same dir replaces it; saveOptimizerState alone rewrites only optimizer.safetensors.
    await saveCheckpoint(dir, loaded.model, { tokenizer: "byte" });
    expect(fs.existsSync(path.join(dir, "optimizer.safetensors"))).toBe(false);
    saveOptimizerState(dir, state);
    expect(loadOptimizerState(dir)!.step).toBe(2);
    tf.dispose([...state.tensors.values()]);
  });

  it("loads the HF GPT-2 fixture (transformer. prefix, attn.bias buffers, lm_head) and matches torch logits to 1e-4", async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, "expected.json"), "utf8"));
    const { model, tokenizer, headKind } = await loadCheckpoint(FIXTURE);
    expect(tokenizer).toBe("gpt2"); // no "rlhf" key: an HF checkpoint
    expect(headKind).toBeNull();
    const check = (m: GPT) => {
      expected.sequences.forEach((seq: number[], i: number) => {
        const logits = tf.tidy(() => m.forward(tf.tensor2d([seq], undefined, "int32")).logits.squeeze([0]));
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(logits, tf.tensor2d(expected.logits[i])))).dataSync()[0]!);
        logits.dispose();
        expect(diff).toBeLessThan(1e-4);
      });
    };
    check(model);
    // The same tensors without the prefix and without the buffers (as GPT2Model saves them) load identically.
    const { tensors } = readSafetensors(path.join(FIXTURE, "model.safetensors"));
    const plain = [...tensors.values()].filter((t) => t.dtype === "F32" && t.name !== "lm_head.weight").map((t) => ({ ...t, name: t.name.replace(/^transformer\./, "") }));
    const dir = path.join(tmp, "plain");
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(FIXTURE, "config.json"), path.join(dir, "config.json"));
    writeSafetensors(path.join(dir, "model.safetensors"), plain);
    check((await loadCheckpoint(dir)).model);
  });

  it("reads F16 and BF16 tensors as float32", () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, "expected.json"), "utf8"));
    const { tensors } = readSafetensors(path.join(FIXTURE, "halfprec.safetensors"));
    expect(Array.from(tensors.get("f16")!.data!)).toEqual(expected.halfprec.f16);
    expect(Array.from(tensors.get("bf16")!.data!)).toEqual(expected.halfprec.bf16);
  });

  it("gives one-line errors for a missing dir, missing files, corrupt safetensors and an unknown tokenizer", async () => {
    expect(await oneLineAsync(() => loadCheckpoint(path.join(tmp, "nope")))).toMatch(/does not exist/);
    const dir = path.join(tmp, "broken");
    await saveCheckpoint(dir, new GPT(tiny, { seed: 1 }), { tokenizer: "byte" });
    const file = path.join(dir, "model.safetensors");
    const good = fs.readFileSync(file);

    const corrupt = async (bytes: Buffer) => {
      fs.writeFileSync(file, bytes);
      return oneLineAsync(() => loadCheckpoint(dir));
    };
    const hugeLen = Buffer.from(good);
    hugeLen.writeBigUInt64LE(BigInt(good.length * 2), 0);
    expect(await corrupt(hugeLen)).toMatch(/header length/);
    const badJson = Buffer.from(good);
    badJson.write("#", 8);
    expect(await corrupt(badJson)).toMatch(/not valid JSON/);
    expect(await corrupt(good.subarray(0, good.length - 100))).toMatch(/outside the .*data section/);
    expect(await corrupt(Buffer.from([1, 2, 3]))).toMatch(/too short/);

    // Shape mismatch: a config that disagrees with the tensors.
    fs.writeFileSync(file, good);
    const cfgFile = path.join(dir, "config.json");
    const cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8"));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, vocab_size: 41 }));
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/wte\.weight has shape \[40,16\]/);
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, rlhf: { tokenizer: "klingon" } }));
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/unknown tokenizer 'klingon'/);
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    fs.rmSync(file);
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/no model\.safetensors/);
    fs.rmSync(cfgFile);
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/no config\.json/);
    expect(oneLine(() => readSafetensors(path.join(tmp, "missing.safetensors")))).toMatch(/cannot read/);
  });

  it("loads a sharded checkpoint (model.safetensors.index.json) exactly as the single file", async () => {
    const { tensors } = readSafetensors(path.join(FIXTURE, "model.safetensors"));
    const all = [...tensors.values()].filter((t) => t.dtype === "F32");
    const dir = path.join(tmp, "sharded");
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(FIXTURE, "config.json"), path.join(dir, "config.json"));
    const half = Math.ceil(all.length / 2);
    const shards = { "model-00001-of-00002.safetensors": all.slice(0, half), "model-00002-of-00002.safetensors": all.slice(half) };
    const weightMap: Record<string, string> = {};
    for (const [file, list] of Object.entries(shards)) {
      writeSafetensors(path.join(dir, file), list);
      for (const t of list) weightMap[t.name] = file;
    }
    fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const single = await loadCheckpoint(FIXTURE);
    const sharded = await loadCheckpoint(dir);
    for (const [name, v] of single.model.params) expect(bits(sharded.model.params.get(name)!)).toEqual(bits(v));

    fs.rmSync(path.join(dir, "model-00002-of-00002.safetensors"));
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/shard model-00002-of-00002\.safetensors named in model\.safetensors\.index\.json is missing/);
    fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { "wte.weight": "../elsewhere.safetensors" } }));
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/not a file in the checkpoint directory/);
  });

  it("refuses GPT-2 variants it does not implement, in one line, instead of giving wrong logits", async () => {
    const dir = path.join(tmp, "variant");
    fs.mkdirSync(dir);
    const cfg = JSON.parse(fs.readFileSync(path.join(FIXTURE, "config.json"), "utf8"));
    fs.copyFileSync(path.join(FIXTURE, "model.safetensors"), path.join(dir, "model.safetensors"));
    for (const [key, value, message] of [
      ["scale_attn_weights", false, /scale_attn_weights: false/],
      ["scale_attn_by_inverse_layer_idx", true, /scale_attn_by_inverse_layer_idx: true/],
      ["reorder_and_upcast_attn", true, /reorder_and_upcast_attn: true/],
    ] as const) {
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...cfg, [key]: value }));
      expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(message);
    }
    // An untied output layer: lm_head.weight that is not wte.weight.
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(cfg));
    const { tensors } = readSafetensors(path.join(FIXTURE, "model.safetensors"));
    const untied = [...tensors.values()].filter((t) => t.dtype === "F32").map((t) => (t.name === "lm_head.weight" ? { ...t, data: t.data!.map((v) => v * 2) } : t));
    expect(untied.some((t) => t.name === "lm_head.weight")).toBe(true);
    writeSafetensors(path.join(dir, "model.safetensors"), untied);
    expect(await oneLineAsync(() => loadCheckpoint(dir))).toMatch(/lm_head\.weight differs from wte\.weight/);
  });
});
