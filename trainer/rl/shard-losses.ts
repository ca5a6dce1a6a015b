// The RL trainers' losses as data-parallel shard losses (trainer/model/gradient-workers.ts): plain functions of
// (replicas, shard, out) that the main thread and every worker thread import, over shards of plain data. What a frozen
// model contributes (DPO's reference log-probs) travels in the shard as numbers. Light on imports on purpose: each
// worker thread loads this module.
import * as tf from "@tensorflow/tfjs";
import type { TokenizedExample } from "../data/collate";
import type { ReplicaModels } from "../model/gradient-workers";
import type { DpoLossType } from "../../server/services/run-kinds/dpo-config";
import { lastTokenScores, sequenceLogprobSums, toBatchTensors } from "./forward";
import { dpoLoss, rankingLoss, type RankingPairs } from "./losses";

/** Rankings of one shard: the unique sequences they score and each ranking's pairs as indices into them. */
export interface RewardShard {
  examples: TokenizedExample[];
  rankings: RankingPairs[];
  padId: number;
}

/**
 * Builds a reward shard: unique sequences are scored once (several annotators' rankings of the same completions
 * share a forward pass but each contributes its own pairs).
 */
export function rewardShard(rankings: ReadonlyArray<{ keys: string[]; examples: TokenizedExample[]; pairs: Array<[number, number]>; pairCount: number }>, padId: number): RewardShard {
  const slot = new Map<string, number>();
  const examples: TokenizedExample[] = [];
  const lossRankings: RankingPairs[] = rankings.map((r) => {
    const local = r.keys.map((key, i) => {
      if (!slot.has(key)) {
        slot.set(key, examples.length);
        examples.push(r.examples[i]!);
      }
      return slot.get(key)!;
    });
    return { pairs: r.pairs.map(([w, l]) => [local[w]!, local[l]!] as [number, number]), pairCount: r.pairCount };
  });
  return { examples, rankings: lossRankings, padId };
}

/** The RM's ranking loss on a shard (replica 0 = backbone + head); out gets {correct, pairs}. */
export function rewardShardLoss(replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>): tf.Scalar {
  const s = shard as RewardShard;
  const { gpt, head } = replicas[0]!;
  return tf.tidy(() => {
    const r = rankingLoss(lastTokenScores(gpt, head!, toBatchTensors(s.examples, s.padId)), s.rankings);
    out.correct = Math.round(r.accuracy * r.pairs);
    out.pairs = r.pairs;
    return r.loss;
  });
}

/** DPO pairs of one shard with the frozen reference's sequence log-probs, computed beforehand. */
export interface DPOShard {
  chosen: TokenizedExample[];
  rejected: TokenizedExample[];
  refChosen: number[];
  refRejected: number[];
  padId: number;
  beta: number;
  labelSmoothing: number;
  lossType: DpoLossType;
  /** Per-token mean log-probs instead of sums (IPO). */
  average: boolean;
}

/** DPO's loss and implicit rewards on a shard: chosen and rejected sequences stacked in one forward pass [2B, T]. */
export function dpoShardOutputs(policy: ReplicaModels, s: DPOShard): ReturnType<typeof dpoLoss> {
  return tf.tidy(() => {
    const sums = sequenceLogprobSums(policy.gpt, toBatchTensors([...s.chosen, ...s.rejected], s.padId), { average: s.average });
    const [c, r] = tf.split(sums, 2) as [tf.Tensor1D, tf.Tensor1D];
    return dpoLoss(c, r, tf.tensor1d(s.refChosen), tf.tensor1d(s.refRejected), s.beta, s.labelSmoothing, s.lossType);
  });
}

/** dpoShardOutputs as a shard loss (replica 0 = the policy); out gets the implicit rewards {chosen, rejected}. */
export function dpoShardLoss(replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>): tf.Scalar {
  const r = dpoShardOutputs(replicas[0]!, shard as DPOShard);
  out.chosen = Array.from(r.chosenRewards.dataSync());
  out.rejected = Array.from(r.rejectedRewards.dataSync());
  tf.dispose([r.chosenRewards, r.rejectedRewards]);
  return r.loss;
}
