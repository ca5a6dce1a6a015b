// The playground: researchers and admins ask any policy (ours or an endpoint) for samples of a prompt, and poll for
// the answer; generation itself happens off the request path (the worker, or a background endpoint call).
import { z } from "zod";
import { generationParams, getGeneration, requestGeneration } from "../services/playground";
import { createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

function describe(row: Awaited<ReturnType<typeof getGeneration>>) {
  return { id: row.id, status: row.status, outputs: row.outputs, error: row.error, createdAt: row.createdAt, finishedAt: row.finishedAt };
}

export const playgroundRouter = createTRPCRouter({
  generate: researcherProcedure
    .input(z.object({ model: z.string().trim().min(1, "pick a model").max(64), prompt: z.string().max(20_000), params: generationParams.default(generationParams.parse({})) }))
    .mutation(async ({ ctx, input }) => describe(await requestGeneration(ctx.db, input, ctx.user.id))),

  get: researcherProcedure.input(z.object({ id })).query(async ({ ctx, input }) => describe(await getGeneration(ctx.db, input.id))),
});
