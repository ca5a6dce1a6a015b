// ScoreConfig: the scoring run that decides where to label next (server/services/selection.ts): which project's open
// ranking tasks to score, and the second reward model `disagree` may compare against.
import { z } from "zod";
import { batchSize, maxLength } from "./config-schema";

export const scoreConfig = z
  .object({
    project: z.string().trim().max(200).default("").describe("the project (name or id) whose open ranking tasks are scored; its selection setting says how (required)"),
    second_reward: z.string().max(200).default("").describe("`disagree`: a second reward model (name) to compare with; empty = compare with the annotators' rankings so far"),
    batch_size: batchSize(16, "texts scored per forward pass: no gradients, so larger batches are cheap"),
    max_length: maxLength(256, "tokens per prompt+response, as the reward model was trained"),
  })
  .strict();

export type ScoreConfig = z.output<typeof scoreConfig>;
