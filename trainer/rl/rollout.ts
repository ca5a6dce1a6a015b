// The rollout steps every online trainer (PPO, GRPO, RLOO) shares: cycling through shuffled prompts, turning sampled
// tokens into episodes (cut at the first EOS), scoring them with the frozen RM, and moving per-action numbers
// between plain arrays and [B,T] tensors aligned with a batch's loss mask.
import * as tf from "@tensorflow/tfjs";
import type { TokenizedExample } from "../data/collate";
import type { GPT } from "../model/gpt";
import type { DataParallel } from "../model/data-parallel";
import type { ScalarHead } from "../model/heads";
import { shuffledIndices } from "../../server/services/random";
import { disposeBatchTensors, lastTokenScores, toBatchTensors, type BatchTensors } from "./forward";
import { truncateAtFirstEos } from "./utils";

/**
 * Samples response tokens for tokenized prompts (the sampler may run past EOS; trainers cut at the first one). The
 * trainer's data-parallel threads come along: a sampler may split the batch over them (DataParallel.generate).
 */
export type Sampler = (
  policy: GPT,
  promptIds: number[][],
  opts: { maxNewTokens: number; temperature: number; seed: number },
  parallel?: DataParallel,
) => Promise<number[][]>;

/** The frozen reward model, or a programmatic reward of the response tokens (toy tasks in tests). */
export interface RewardSource {
  reward?: { gpt: GPT; head: ScalarHead };
  rewardFn?: (responses: number[][]) => number[];
}

/** Hands out prompts in a seeded shuffle, reshuffling each time they run out. */
export class PromptCycler {
  private order: number[];
  private cursor = 0;

  constructor(
    private readonly prompts: readonly number[][],
    private readonly random: () => number,
  ) {
    this.order = shuffledIndices(prompts.length, random);
  }

  next(count: number): number[][] {
    const out: number[][] = [];
    while (out.length < count) {
      if (this.cursor >= this.order.length) {
        this.order = shuffledIndices(this.prompts.length, this.random);
        this.cursor = 0;
      }
      out.push(this.prompts[this.order[this.cursor++]!]!);
    }
    return out;
  }

  /** Where the cycle stands (its shuffle and position), for a resumable checkpoint. */
  snapshot(): { order: number[]; cursor: number } {
    return { order: [...this.order], cursor: this.cursor };
  }

  restore(saved: { order: number[]; cursor: number }): void {
    if (saved.order.length !== this.prompts.length) throw new Error(`prompt cursor saved over ${saved.order.length} prompts, the run has ${this.prompts.length}`);
    this.order = [...saved.order];
    this.cursor = saved.cursor;
  }
}

/** A sampled response cut after its first EOS, as prompt + response tokens with the response marked. */
export interface SampledEpisode {
  example: TokenizedExample;
  endedWithEos: boolean;
  responseLength: number;
}

export function toEpisode(prompt: readonly number[], sampled: readonly number[], eosId: number): SampledEpisode {
  const { tokens: response, endedWithEos } = truncateAtFirstEos(sampled, eosId);
  return {
    example: { ids: [...prompt, ...response], responseMask: [...prompt.map(() => 0), ...response.map(() => 1)] },
    endedWithEos,
    responseLength: response.length,
  };
}

/** The example with an EOS appended (as the chat template ends every finished response). */
export function withEos(ex: TokenizedExample, eosId: number): TokenizedExample {
  return { ids: [...ex.ids, eosId], responseMask: [...ex.responseMask, 1] };
}

/** The response tokens of an episode (EOS included when produced). */
export function responseTokens(ep: SampledEpisode): number[] {
  return ep.example.ids.filter((_, t) => ep.example.responseMask[t]);
}

/**
 * RM scores of episodes (or the programmatic reward). The RM reads a truncated response as if it had ended (EOS
 * appended): it was trained on finished responses only, so a read-out at an arbitrary token would be noise a policy
 * could exploit. The missing EOS is penalised separately by the caller.
 */
export async function scoreEpisodes(source: RewardSource, episodes: readonly SampledEpisode[], eosId: number, padId: number, batchSize = 16): Promise<number[]> {
  if (source.rewardFn) return source.rewardFn(episodes.map(responseTokens));
  if (!source.reward) throw new Error("an online trainer needs a reward model");
  const out: number[] = [];
  for (let i = 0; i < episodes.length; i += batchSize) {
    const chunk = episodes.slice(i, i + batchSize);
    const bt = toBatchTensors(chunk.map((ep) => (ep.endedWithEos ? ep.example : withEos(ep.example, eosId))), padId);
    const scores = lastTokenScores(source.reward.gpt, source.reward.head, bt);
    out.push(...Array.from(await scores.data()));
    scores.dispose();
    disposeBatchTensors(bt);
  }
  return out;
}

/** Reads a [B,T] tensor's values at each row's action positions (lossMask = 1), in order. */
export function actionValues(values: Float32Array | Int32Array | Uint8Array, bt: BatchTensors): number[][] {
  const { batchSize, seqLen, lossMask } = bt.batch;
  const rows: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const row: number[] = [];
    for (let t = 0; t < seqLen; t++) if (lossMask[b * seqLen + t]) row.push(values[b * seqLen + t]!);
    rows.push(row);
  }
  return rows;
}

/** Places per-action numbers back into a [B,T] tensor aligned with the batch's lossMask. */
export function placeActions(rows: number[][], bt: BatchTensors): tf.Tensor2D {
  const { batchSize, seqLen, lossMask } = bt.batch;
  const out = new Float32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    let i = 0;
    for (let t = 0; t < seqLen; t++) if (lossMask[b * seqLen + t]) out[b * seqLen + t] = rows[b]![i++]!;
  }
  return tf.tensor2d(out, [batchSize, seqLen]);
}
