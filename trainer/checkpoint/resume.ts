// Resumable training state for the RM, DPO, PPO, GRPO and RLOO trainers, saved every save_steps into a run's scratch
// folder as checkpoint-<step>/ (HF Trainer's naming): the trainable tensors (with LoRA the adapters and heads only),
// every optimizer's moments and step, tensors a loop carries (the RM's best-so-far weights), and a JSON record of the
// rest (data or prompt cursor, RNG states, KL coefficient). A save fills a hidden temporary folder and renames it into
// place, so a worker killed at any moment (kill -9 included) leaves the previous complete save to resume from.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Adam } from "../model/adam";
import { readSafetensors } from "./safetensors";

const FORMAT = "rlhf-resume-v1";
const STATE_FILE = "trainer_state.json";
const COMPLETE = /^checkpoint-(\d+)$/;
const PARTIAL = /^\.checkpoint-\d+\.tmp-\d+$/;

export class ResumeError extends Error {
  override name = "ResumeError";
}

/** What is restored in place: variables by unique name, and each optimizer by a name of the trainer's choosing. */
export interface ResumeTarget {
  params: Map<string, tf.Variable>;
  optimizers: Record<string, Adam>;
}

export interface ResumeSave extends ResumeTarget {
  /** Further tensors the loop carries; restored as new tensors the trainer then owns. */
  tensors?: Map<string, tf.Tensor>;
  /** Plain JSON: cursors, RNG states, coefficients. */
  state: object;
}

export interface Resumed<S> {
  /** The step (optimizer step or rollout iteration) the save was taken after. */
  step: number;
  state: S;
  tensors: Map<string, tf.Tensor>;
}

/** True when a trainer should save after `step` of `total` (never after the last: the run's output comes then). */
export function saveDue(saveSteps: number, step: number, total: number): boolean {
  return saveSteps > 0 && step % saveSteps === 0 && step < total;
}

/** A short content hash: a resumed run restores its data cursor only when the data it was taken over is unchanged. */
export function fingerprint(value: unknown): string {
  return crypto.createHash("sha1").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** Writes a safetensors file one tensor at a time, so a save holds one tensor's copy at most beside the model. */
async function writeTensorFile(file: string, entries: ReadonlyArray<[string, tf.Tensor]>): Promise<void> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    if (t.dtype !== "float32") throw new ResumeError(`cannot save ${name}: only float32 tensors are stored (got ${t.dtype})`);
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + t.size * 4] };
    offset += t.size * 4;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  const fd = fs.openSync(file, "w");
  try {
    const write = (bytes: Uint8Array) => {
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    };
    write(length);
    write(headerBytes);
    for (const [, t] of entries) {
      const data = (await t.data()) as Float32Array;
      write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    // On disk before the rename publishes it: a power cut must not leave a complete-looking folder of empty files.
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The checkpoint-<step>/ folders of one run's scratch folder. */
export class ResumeStore {
  constructor(readonly dir: string) {}

  /** The newest complete save, or null. Half-written saves are hidden temporary folders and never match. */
  latest(): { step: number; dir: string } | null {
    if (!fs.existsSync(this.dir)) return null;
    let best: { step: number; dir: string } | null = null;
    for (const entry of fs.readdirSync(this.dir)) {
      const m = COMPLETE.exec(entry);
      if (!m || !fs.existsSync(path.join(this.dir, entry, STATE_FILE))) continue;
      const step = Number(m[1]);
      if (!best || step > best.step) best = { step, dir: path.join(this.dir, entry) };
    }
    return best;
  }

  /** Saves the state after `step`, then removes older saves and any a killed worker left half-written. */
  async save(step: number, parts: ResumeSave): Promise<void> {
    const final = path.join(this.dir, `checkpoint-${step}`);
    const tmp = path.join(this.dir, `.checkpoint-${step}.tmp-${process.pid}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    try {
      const moments: Array<[string, tf.Tensor]> = [];
      const optimizerSteps: Record<string, number> = {};
      for (const [name, adam] of Object.entries(parts.optimizers)) {
        optimizerSteps[name] = adam.stepCount;
        for (const [moment, v] of adam.moments()) moments.push([`${name}/${moment}`, v]);
      }
      await writeTensorFile(path.join(tmp, "model.safetensors"), [...parts.params]);
      await writeTensorFile(path.join(tmp, "optimizer.safetensors"), moments);
      await writeTensorFile(path.join(tmp, "tensors.safetensors"), [...(parts.tensors ?? [])]);
      // Written last: a folder is a save only with its state file (a second guard beside the rename).
      fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify({ format: FORMAT, step, optimizers: optimizerSteps, state: parts.state }) + "\n");
      fsyncDir(tmp);
      fs.rmSync(final, { recursive: true, force: true });
      fs.renameSync(tmp, final);
      fsyncDir(this.dir);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    for (const entry of fs.readdirSync(this.dir)) {
      const m = COMPLETE.exec(entry);
      if ((m && Number(m[1]) !== step) || PARTIAL.test(entry)) fs.rmSync(path.join(this.dir, entry), { recursive: true, force: true });
    }
  }

  /**
   * Puts the newest save's parameters and optimizer state into `target` (every name and shape must match) and
   * returns its step, JSON state and extra tensors; null when the run has no save yet.
   */
  restore<S>(target: ResumeTarget): Resumed<S> | null {
    const found = this.latest();
    if (!found) return null;
    const where = `resumable checkpoint ${found.dir}`;
    let saved: { format?: string; step: number; optimizers: Record<string, number>; state: S };
    try {
      saved = JSON.parse(fs.readFileSync(path.join(found.dir, STATE_FILE), "utf8"));
    } catch {
      throw new ResumeError(`${where}: ${STATE_FILE} is not valid JSON`);
    }
    if (saved.format !== FORMAT) throw new ResumeError(`${where} was written by another version (format ${String(saved.format)}); start the run again`);
    const model = readSafetensors(path.join(found.dir, "model.safetensors")).tensors;
    const optimizer = readSafetensors(path.join(found.dir, "optimizer.safetensors")).tensors;
    const assignments: Array<[tf.Variable, Float32Array]> = [];
    const expect = (source: typeof model, name: string, v: tf.Variable) => {
      const t = source.get(name);
      if (!t?.data) throw new ResumeError(`${where} has no ${name}: it was saved for another model or other settings`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) throw new ResumeError(`${where}: ${name} has shape [${t.shape}] but the run's is [${v.shape}]`);
      assignments.push([v, t.data]);
    };
    for (const [name, v] of target.params) expect(model, name, v);
    if (model.size !== target.params.size) throw new ResumeError(`${where} holds ${model.size} tensors, the run trains ${target.params.size}: it was saved with other settings`);
    for (const [name, adam] of Object.entries(target.optimizers)) {
      if (!Number.isInteger(saved.optimizers?.[name])) throw new ResumeError(`${where} has no state for optimizer '${name}'`);
      for (const [moment, v] of adam.moments()) expect(optimizer, `${name}/${moment}`, v);
    }
    // Checked in full before anything is assigned: a refused save leaves the freshly loaded models as they were.
    for (const [v, data] of assignments) {
      const t = tf.tensor(data, v.shape, "float32");
      v.assign(t);
      t.dispose();
    }
    for (const [name, adam] of Object.entries(target.optimizers)) adam.stepCount = saved.optimizers[name]!;
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, t] of readSafetensors(path.join(found.dir, "tensors.safetensors")).tensors) if (t.data) tensors.set(name, tf.tensor(t.data, t.shape, "float32"));
    return { step: saved.step, state: saved.state, tensors };
  }
}
