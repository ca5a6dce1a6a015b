// The annotation queue: next task, resume one, skip with a reason.
import { z } from "zod";
import { TASK_KINDS } from "../../db/schema";
import { annotatorProcedure, createTRPCRouter } from "../trpc";
import { nextTask, skipTask, taskView } from "../services/assignment";
import { id, reason } from "./inputs";

export const tasksRouter = createTRPCRouter({
  /** The caller's next task (or the one they already hold), or null when nothing is left for them. */
  next: annotatorProcedure
    .input(z.object({ projectId: id.optional(), kind: z.enum(TASK_KINDS).optional() }).optional())
    .mutation(async ({ ctx, input }) => await nextTask(ctx.db, ctx.user.id, input ?? {})),

  /** One of the caller's own assignments, to resume it or see what they submitted. */
  get: annotatorProcedure.input(z.object({ assignmentId: id })).query(({ ctx, input }) => taskView(ctx.db, ctx.user.id, input.assignmentId)),

  skip: annotatorProcedure
    .input(z.object({ assignmentId: id, reason }))
    .mutation(async ({ ctx, input }) => await skipTask(ctx.db, ctx.user.id, input)),
});
