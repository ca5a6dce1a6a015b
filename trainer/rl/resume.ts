// Resume for the RL trainers' loops, kept out of the loops themselves: what each kind of loop saves every save_steps
// beside its trainable tensors and optimizers (trainer/checkpoint/resume.ts), and how it is put back. Epoch loops
// (RM, DPO) keep an epoch, a position in it and the shuffle RNG as it stood when the epoch drew its order; rollout
// loops (PPO, GRPO, RLOO) keep the iteration, the shared RNG, the prompt cycle and the KL coefficient when one adapts.
import type * as tf from "@tensorflow/tfjs";
import { fingerprint, saveDue, type ResumeStore } from "../checkpoint/resume";
import type { Adam } from "../model/adam";
import type { LoraAdapters } from "../model/lora";
import { shuffledIndices, type SeededRandom } from "../../server/services/random";
import type { RlContext } from "./context";
import type { PromptCycler } from "./rollout";

/** The parts every loop restores in place and saves. */
interface LoopParts {
  store: ResumeStore | undefined;
  saveSteps: number;
  /** Steps (or iterations) in the whole run: nothing is saved after the last, the run's output is. */
  total: number;
  params: Map<string, tf.Variable>;
  optimizers: Record<string, Adam>;
  random: SeededRandom;
  /** Adapters whose dropout seeds advance with every gradient step (SFT, RM, DPO with lora_dropout > 0). */
  lora?: LoraAdapters | null;
  /** What the data cursor indexes into: the cursor is restored only when this is unchanged. */
  data: unknown;
}

interface EpochState<X> {
  epoch: number;
  next: number;
  epoch_rng: number;
  data: string;
  lora_dropout_calls: number;
  extra: X | null;
}

/**
 * An epoch loop's cursor: `for (epoch = cursor.epoch; …) { order = cursor.order(epoch, n); for (i = cursor.first(epoch);
 * …; i += perStep) { …; await cursor.after(step, epoch, i + perStep, extra) } }`.
 */
export class EpochCursor<X = never> {
  readonly step: number;
  readonly epoch: number;
  /** What the loop saved beside its cursor (the RM's best epoch), with its tensors; the loop owns the tensors. */
  readonly extra: { value: X; tensors: Map<string, tf.Tensor> } | null = null;
  private resumeAt: { epoch: number; next: number; rng: number } | null = null;
  private epochRng = 0;
  private readonly dataKey: string;

  constructor(
    private readonly parts: LoopParts,
    ctx: RlContext,
  ) {
    // Hashed only where there is a store: a training set of 100,000s of rankings is some megabytes of JSON.
    this.dataKey = parts.store ? fingerprint(parts.data) : "";
    const saved = parts.store?.restore<EpochState<X>>({ params: parts.params, optimizers: parts.optimizers });
    this.step = saved?.step ?? 0;
    this.epoch = saved?.state.epoch ?? 0;
    if (!saved) return;
    if (parts.lora) parts.lora.dropoutCalls = saved.state.lora_dropout_calls;
    if (saved.state.extra !== null) this.extra = { value: saved.state.extra, tensors: saved.tensors };
    if (saved.state.data === this.dataKey) {
      this.resumeAt = { epoch: saved.state.epoch, next: saved.state.next, rng: saved.state.epoch_rng };
    } else {
      // New rankings or pairs since the save: the weights and optimizer go on, the epoch reshuffles the data as it is now.
      parts.random.state = saved.state.epoch_rng;
      ctx.log(`the training data changed since the resumable checkpoint; epoch ${this.epoch + 1} starts over on the new data`);
    }
    ctx.log(`resuming at step ${this.step} of ${parts.total}`);
  }

  /** The epoch's visiting order; on the epoch a save was taken in, the very order that epoch drew. */
  order(epoch: number, n: number): number[] {
    if (this.resumeAt?.epoch === epoch) this.parts.random.state = this.resumeAt.rng;
    this.epochRng = this.parts.random.state;
    return shuffledIndices(n, this.parts.random);
  }

  /** Where the epoch starts: past the batches trained before the save on the resumed epoch, else 0. */
  first(epoch: number): number {
    const at = this.resumeAt;
    if (at?.epoch !== epoch) return 0;
    this.resumeAt = null;
    return at.next;
  }

  /** After optimizer step `step` (counted from 1), with `next` the position of the epoch's next batch. */
  async after(step: number, epoch: number, next: number, extra?: { value: X; tensors: Map<string, tf.Tensor> } | null): Promise<void> {
    const p = this.parts;
    if (!p.store || !saveDue(p.saveSteps, step, p.total)) return;
    const state: EpochState<X> = { epoch, next, epoch_rng: this.epochRng, data: this.dataKey, lora_dropout_calls: p.lora?.dropoutCalls ?? 0, extra: extra?.value ?? null };
    await p.store.save(step, { params: p.params, optimizers: p.optimizers, tensors: extra?.tensors, state });
  }
}

interface RolloutState {
  rng: number;
  prompts: { order: number[]; cursor: number };
  data: string;
  kl_coef: number | null;
}

/**
 * A rollout loop's cursor: `for (iteration = cursor.iteration; …) { …; await cursor.after(iteration + 1) }`. The
 * sampling seed is derived from the iteration and the learning rate from the step, so these four are the whole state.
 */
export class RolloutCursor {
  readonly iteration: number;
  private readonly dataKey: string;

  constructor(
    private readonly parts: Omit<LoopParts, "lora" | "data"> & {
      prompts: PromptCycler;
      /** The tokenized prompts the cycle runs over. */
      promptIds: readonly number[][];
      /** The KL coefficient where it adapts (PPO's KlController; add GRPO's or RLOO's here when theirs adapts). */
      kl?: { value: number };
    },
    ctx: RlContext,
  ) {
    this.dataKey = parts.store ? fingerprint(parts.promptIds) : "";
    const saved = parts.store?.restore<RolloutState>({ params: parts.params, optimizers: parts.optimizers });
    this.iteration = saved?.step ?? 0;
    if (!saved) return;
    parts.random.state = saved.state.rng;
    if (parts.kl && saved.state.kl_coef !== null) parts.kl.value = saved.state.kl_coef;
    if (saved.state.data === this.dataKey) parts.prompts.restore(saved.state.prompts);
    else ctx.log("the train prompts changed since the resumable checkpoint; the prompt cycle starts over on the new prompts");
    ctx.log(`resuming at iteration ${this.iteration} of ${parts.total}`);
  }

  /** After rollout iteration `done` (counted from 1) has trained and updated its KL coefficient. */
  async after(done: number): Promise<void> {
    const p = this.parts;
    if (!p.store || !saveDue(p.saveSteps, done, p.total)) return;
    const state: RolloutState = { rng: p.random.state, prompts: p.prompts.snapshot(), data: this.dataKey, kl_coef: p.kl?.value ?? null };
    await p.store.save(done, { params: p.params, optimizers: p.optimizers, state });
  }
}
