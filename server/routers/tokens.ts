// A researcher's or admin's own export API tokens: list (with last use and expiry), create (shown once), revoke.
// Admins manage everyone's from the CLI (`rlhf tokens list|revoke`).
import { z } from "zod";
import { createApiToken, DEFAULT_TOKEN_DAYS, listApiTokens, MAX_TOKEN_DAYS, revokeApiToken } from "../services/api-tokens";
import { createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

export const tokensRouter = createTRPCRouter({
  mine: researcherProcedure.query(async ({ ctx }) => await listApiTokens(ctx.db, { userId: ctx.user.id })),

  create: researcherProcedure
    .input(z.object({ name: z.string().trim().min(1, "give the token a name").max(100), expiresDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS) }))
    .mutation(async ({ ctx, input }) => await createApiToken(ctx.db, { email: ctx.user.email, name: input.name, expiresDays: input.expiresDays }, ctx.user.id)),

  revoke: researcherProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => await revokeApiToken(ctx.db, input.id, { ownerId: ctx.user.id, actorId: ctx.user.id })),
});
