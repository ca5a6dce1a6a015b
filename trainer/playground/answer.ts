// The worker's side of the playground: claims generation requests for our models and answers them with the same
// sampler as sample runs. It runs beside the run loop, so the playground answers while a run trains; the last model
// used stays loaded, since a playground user asks the same policy again and again.
import type { Db } from "../../db/index";
import { resolveModelInput } from "../../server/services/model-inputs";
import { claimNextGeneration, failGeneration, finishGeneration, type GenerationRow } from "../../server/services/playground";
import { oneLineError } from "../runs/errors";

type Loaded = { modelId: string; dispose(): void; sample(prompt: string, row: GenerationRow): Promise<string[]> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function load(db: Db, modelId: string): Promise<Loaded> {
  const [{ initBackend }, { loadPolicy }, { samplePrompt }] = await Promise.all([import("../backend/index"), import("../rl/models"), import("../runs/sample")]);
  await initBackend();
  const policy = await loadPolicy(await resolveModelInput(db, modelId, { flag: "model", kind: "policy" }));
  return {
    modelId,
    dispose: () => policy.model.dispose(),
    async sample(prompt, row) {
      const p = row.params;
      const out = await samplePrompt(policy.model, policy.tokenizer, prompt, 0, {
        k: p.n ?? 1,
        temperature: p.temperature ?? 1,
        topP: p.top_p ?? 1,
        topK: 0,
        maxNewTokens: p.max_new_tokens ?? 128,
        seed: p.seed ?? 0,
      });
      return out.completions.map((c) => c.text);
    },
  };
}

/** Answers queued playground generations until `shouldStop`; with `once`, until none is waiting. */
export async function serveGenerations(db: Db, opts: { workerId: string; shouldStop: () => boolean; once?: boolean; pollMs?: number; log?: (m: string) => void }): Promise<number> {
  let cached: Loaded | null = null;
  let answered = 0;
  try {
    while (!opts.shouldStop()) {
      let job: GenerationRow | undefined;
      try {
        job = await claimNextGeneration(db, opts.workerId);
      } catch {
        job = undefined; // a busy database: try again at the next poll
      }
      if (!job) {
        if (opts.once) break;
        await sleep(opts.pollMs ?? 500);
        continue;
      }
      try {
        if (cached?.modelId !== job.modelId) {
          cached?.dispose();
          cached = null;
          cached = await load(db, job.modelId);
        }
        await finishGeneration(db, job.id, await cached.sample(job.prompt, job));
        answered++;
      } catch (err) {
        await failGeneration(db, job.id, oneLineError(err));
        opts.log?.(`playground generation ${job.id} failed: ${oneLineError(err)}`);
      }
    }
  } finally {
    cached?.dispose();
  }
  return answered;
}
