// The RL trainers' losses as data-parallel shard losses (trainer/model/gradient-workers.ts): plain functions of
// (replicas, shard, out) that the main thread and every worker thread import, over shards of plain data. What a frozen
// model contributes (DPO's reference log-probs) travels in the shard as numbers. Light on imports on purpose: each
// worker thread loads this module.
import * as tf from "@tensorflow/tfjs";
import type { TokenizedExample } from "../data/collate";
import type { ReplicaModels } from "../model/gradient-workers";
import type { DpoLossType } from "../../server/services/run-kinds/dpo-config";
import type { GRPOConfig } from "../../server/services/run-kinds/grpo-config";
import { lastTokenScores, responseLogprobs, sequenceLogprobSums, toBatchTensors } from "./forward";
import { dpoLoss, grpoLoss, ppoPolicyLoss, ppoValueLoss, rankingLoss, rlooLoss, type ClipStats, type RankingPairs } from "./losses";
import { actionValues, placeActions } from "./rollout";
import { maskedMean } from "./utils";

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

/** PPO episodes of one shard with their rollout statistics, one number per action (response token). */
export interface PPOShard {
  examples: TokenizedExample[];
  logprobs: number[][];
  values: number[][];
  advantages: number[][];
  returns: number[][];
  padId: number;
  temperature: number;
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  entCoef: number;
}

/** Min and max of π/π_old over real actions (padding positions have ratio exp(0) = 1 anyway). */
function ratioRange(ratio: tf.Tensor, lossMask: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const mask = tf.cast(lossMask, "bool");
  return [tf.min(tf.where(mask, ratio, tf.mul(tf.onesLike(ratio), 1e9))), tf.max(tf.where(mask, ratio, tf.zerosLike(ratio)))];
}

/**
 * PPO's clipped policy loss + vf_coef × clipped value loss (− ent_coef × entropy) on a shard. Replica 0 is the policy
 * (with its value head for value_model "policy_head"), replica 1 the separate critic when there is one. out.stats:
 * [pg, vf, clipfrac, vclipfrac, approxkl, entropy, ratio mean, ratio min, ratio max], each a mean over the shard's
 * actions (min and max over them).
 */
export function ppoShardLoss(replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>): tf.Scalar {
  const s = shard as PPOShard;
  const [policy, critic] = replicas as [ReplicaModels, ReplicaModels | undefined];
  return tf.tidy(() => {
    const bt = toBatchTensors(s.examples, s.padId);
    // The entropy joins the graph only when it is part of the loss; otherwise it is a metric taken with no gradient.
    const r = responseLogprobs(policy.gpt, bt, { temperature: s.temperature, entropy: s.entCoef > 0 ? "differentiable" : "metric" });
    const values = critic ? critic.head!.apply(critic.gpt.hiddenStates(bt.ids, { attentionMask: bt.attentionMask })) : policy.head!.apply(r.hidden);
    const oldLogprobs = placeActions(s.logprobs, bt);
    const pg = ppoPolicyLoss(r.logprobs, oldLogprobs, placeActions(s.advantages, bt), bt.lossMask, s.cliprange);
    const vf = ppoValueLoss(values, placeActions(s.values, bt), placeActions(s.returns, bt), bt.lossMask, s.cliprangeValue);
    const [ratioMin, ratioMax] = ratioRange(tf.exp(tf.sub(r.logprobs, oldLogprobs)), bt.lossMask);
    out.stats = [pg.loss, vf.loss, pg.clipfrac, vf.clipfrac, pg.approxKl, r.entropy!, pg.ratioMean, ratioMin, ratioMax].map((t) => t.dataSync()[0]!);
    let total = tf.add(pg.loss, tf.mul(s.vfCoef, vf.loss)) as tf.Scalar;
    if (s.entCoef > 0) total = tf.sub(total, tf.mul(s.entCoef, r.entropy!)) as tf.Scalar;
    return total;
  });
}

/** GRPO or RLOO episodes of one shard: rollout and reference log-probs per action, and each sequence's advantage. */
export interface GroupShard {
  kind: "grpo" | "rloo";
  examples: TokenizedExample[];
  logprobs: number[][];
  refLogprobs: number[][];
  advantages: number[];
  padId: number;
  temperature: number;
  epsilon: number;
  /** GRPO only. */
  beta: number;
  lossType: GRPOConfig["loss_type"];
  maxCompletionLength: number;
}

/**
 * GRPO's or RLOO's clipped loss on a shard (replica 0 = the policy). out.stats: [kl, entropy, clip low, clip high,
 * clip region, ratio min, ratio max]: KL and entropy are means over the shard's actions, the clip shares over its
 * actions (GRPO) or sequences (RLOO).
 */
export function groupShardLoss(replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>): tf.Scalar {
  const s = shard as GroupShard;
  return tf.tidy(() => {
    const bt = toBatchTensors(s.examples, s.padId);
    // Entropy is only reported here: taken with no gradient, its vocabulary-sized softmax is not kept.
    const r = responseLogprobs(replicas[0]!.gpt, bt, { temperature: s.temperature, entropy: "metric" });
    const old = placeActions(s.logprobs, bt);
    const ref = placeActions(s.refLogprobs, bt);
    const adv = tf.tensor1d(s.advantages);
    let result: { loss: tf.Scalar; clip: ClipStats; kl: tf.Scalar };
    if (s.kind === "grpo") {
      result = grpoLoss(r.logprobs, old, ref, adv, bt.lossMask, { epsilon: s.epsilon, beta: s.beta, lossType: s.lossType, maxCompletionLength: s.maxCompletionLength });
    } else {
      const seq = tf.tensor1d(s.logprobs.map((row) => row.reduce((a, l) => a + l, 0)));
      const rl = rlooLoss(r.logprobs, seq, adv, bt.lossMask, s.epsilon);
      result = { ...rl, kl: maskedMean(tf.sub(r.logprobs, ref), bt.lossMask) as tf.Scalar };
    }
    const [ratioMin, ratioMax] = ratioRange(tf.exp(tf.sub(r.logprobs, old)), bt.lossMask);
    out.stats = [result.kl, r.entropy!, result.clip.low, result.clip.high, result.clip.region, ratioMin, ratioMax].map((t) => t.dataSync()[0]!);
    return result.loss;
  });
}

/** Rollout episodes whose policy statistics the online trainers take before updating (on the worker threads). */
export interface RolloutShard {
  examples: TokenizedExample[];
  padId: number;
  temperature: number;
}

/**
 * The policy's side of an online trainer's rollout pass on a shard, with no gradient: out.logprobs, one number per
 * action of each episode, and out.values (PPO: the value head on replica 0, or the critic, replica 1) when there is a
 * value model. The same forward pass as the shard losses', so the first update's ratio is exactly 1.
 */
export function policyRolloutStats(replicas: ReplicaModels[], shard: unknown, out: Record<string, unknown>): void {
  const s = shard as RolloutShard;
  const [policy, critic] = replicas as [ReplicaModels, ReplicaModels | undefined];
  const bt = toBatchTensors(s.examples, s.padId);
  const r = responseLogprobs(policy.gpt, bt, { temperature: s.temperature });
  out.logprobs = actionValues(r.logprobs.dataSync() as Float32Array, bt);
  const values = critic ? critic.head!.apply(critic.gpt.hiddenStates(bt.ids, { attentionMask: bt.attentionMask })) : policy.head ? policy.head.apply(r.hidden) : null;
  if (values) out.values = actionValues(values.dataSync() as Float32Array, bt);
}
