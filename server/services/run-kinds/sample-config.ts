// SampleConfig: a sample run's settings with their defaults and why. A sample run sends one project's prompts to one
// or several policies (ours or endpoints) that share each prompt's K, and opens the ranking tasks there.
import { z } from "zod";
import { batchSize, seed } from "./config-schema";

/** Which of the project's prompts a sample run takes. `unranked`: prompts with no ranking task yet. */
export const PROMPT_SETS = ["unranked", "train", "test", "tag", "all"] as const;
export type PromptSet = (typeof PROMPT_SETS)[number];

export const sampleConfig = z
  .object({
    project: z.string().max(200).default("").describe("the project whose prompts are sampled and where the ranking tasks open (name or id)"),
    policies: z.string().max(2000).default("").describe("comma-separated policies (ours or endpoints) that share each prompt's K, so a ranking compares them blind"),
    prompt_set: z.enum(PROMPT_SETS).default("unranked").describe("unranked = prompts with no ranking task yet, so a repeated run sends only new work"),
    tag: z.string().max(100).default("").describe("with prompt_set 'tag': only prompts carrying this tag"),
    k: z.int().min(1).max(16).default(4).describe("completions per prompt, split as evenly as possible among the policies; 4 is InstructGPT's smallest K (a ranking needs 2)"),
    max_prompts: z.int().min(0).default(0).describe("> 0 caps the prompts sampled, for a quick round; 0 takes the whole set"),
    temperature: z.number().min(0).max(2).default(1).describe("sample the policies as they are, so annotators see their real spread (0 = greedy)"),
    top_p: z.number().positive().max(1).default(1).describe("nucleus sampling off by default: the full distribution, as PPO samples it"),
    top_k: z.int().min(0).default(0).describe("our models only (the OpenAI API has no top_k); 0 = off"),
    max_new_tokens: z.int().min(1).max(4096).default(128).describe("sent as max_tokens to endpoints; long enough for a paragraph, short enough to read quickly"),
    batch_size: batchSize(32, "prompts per batch: each batch's completions and tasks are stored in one transaction, and a resumed run skips stored batches"),
    concurrency: z.int().min(1).max(64).default(8).describe("requests in flight per endpoint: enough to keep a vLLM server busy without tripping rate limits"),
    request_timeout_s: z.number().positive().max(3600).default(120).describe("per endpoint request; a long generation on a busy server can take a minute"),
    max_retries: z.int().min(0).max(10).default(3).describe("retries on 429/5xx and dropped connections, with exponential backoff"),
    open_tasks: z.boolean().default(true).describe("store the completions and open ranking tasks (off: only write samples to a file, from the CLI)"),
    seed: seed(0, "our models' sampling seed (offset per prompt); passed to endpoints that honour one"),
  })
  .strict();

export type SampleConfig = z.output<typeof sampleConfig>;
