// Demonstrations: autosaved drafts and the final submit (idempotent).
import { z } from "zod";
import { annotatorProcedure, createTRPCRouter } from "../trpc";
import { saveDemonstrationDraft, submitDemonstration } from "../services/responses";
import { id, longText, timeMs } from "./inputs";

export const demonstrationsRouter = createTRPCRouter({
  saveDraft: annotatorProcedure
    .input(z.object({ assignmentId: id, text: longText("The draft"), timeMs: timeMs.optional() }))
    .mutation(async ({ ctx, input }) => await saveDemonstrationDraft(ctx.db, ctx.user.id, input)),

  submit: annotatorProcedure
    .input(z.object({ assignmentId: id, text: longText("The response").refine((s) => s.trim().length > 0, "write the response first"), timeMs }))
    .mutation(async ({ ctx, input }) => await submitDemonstration(ctx.db, ctx.user.id, input)),
});
