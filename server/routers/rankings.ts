// Rankings: submit an ordering of the shown completions (idempotent), with flags, ratings, a rationale or "cannot rank".
import { z } from "zod";
import { annotatorProcedure, createTRPCRouter } from "../trpc";
import { submitRanking } from "../services/responses";
import { MAX_RANK_COMPLETIONS } from "../services/task-queue";
import { id, reason, timeMs } from "./inputs";

export const rankingsRouter = createTRPCRouter({
  submit: annotatorProcedure
    .input(
      z.object({
        assignmentId: id,
        /** Groups of completion ids, best first; a group of several is a tie. */
        ranking: z.array(z.array(id).max(MAX_RANK_COMPLETIONS)).max(MAX_RANK_COMPLETIONS),
        notRankable: z.boolean().optional(),
        notRankableReason: reason.optional(),
        /** completion id → flags set on it. */
        flags: z.record(id, z.array(z.string().max(40)).max(16)).optional(),
        /** completion id → Likert rating. */
        ratings: z.record(id, z.number().int()).optional(),
        /** A one-line reason (required where the project asks for it). */
        rationale: z.string().max(2000).optional(),
        timeMs,
      }),
    )
    .mutation(async ({ ctx, input }) => await submitRanking(ctx.db, ctx.user.id, input)),
});
