// GRPOConfig: every GRPO setting with its default and the reason for it (TRL's GRPOConfig names), sized for the small
// CPU models this project trains.
import { z } from "zod";
import { loraFields } from "./config-schema";
import { checkGroupBatch, groupRolloutFields } from "./group-config";

/** How per-token losses become one number (TRL's loss_type): per sequence, per token of the step, or per max length. */
export const GRPO_LOSS_TYPES = ["grpo", "dapo", "dr_grpo"] as const;
/** Which std divides the group-centred rewards (TRL's scale_rewards). */
export const SCALE_REWARDS = ["group", "batch", "none"] as const;

export const grpoConfig = z
  .object({
    ...groupRolloutFields("grpo"),
    beta: z.number().min(0).default(0.3).describe("the starting KL coefficient of the k3 term in the loss; the adaptive controller moves it from here (TRL's fixed 0.04 let three judges of the suite pass 6 nats, and its 0 drops the leash); as PPO's; chosen on the nine-judge proof suite, BENCHMARKS.md"),
    loss_type: z.enum(GRPO_LOSS_TYPES).default("dapo").describe("TRL's default: every token of the step weighs the same, so long completions are not down-weighted (grpo averages per sequence first)"),
    scale_rewards: z.enum(SCALE_REWARDS).default("none").describe("Dr. GRPO's choice, not TRL's group: dividing by the group's std blows up tiny RM differences once a judge is satisfied (every completion opens with 'Sure'), and on the suite's opener judge GRPO then ran to 9.6 nats (6.7 with batch, 6.1 with none at 4e-4); advantages are r − group mean"),
    ...loraFields(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = checkGroupBatch(c);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export type GRPOConfig = z.output<typeof grpoConfig>;
