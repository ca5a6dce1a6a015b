// Gold items from the web: an admin uploads prompts with their known ranking (the rankings format), as `rlhf gold import`.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { importGold } from "../services/gold";
import { id } from "./inputs";

/** Gold files are small (known answers are written by hand): 4 MB is thousands of items. */
const MAX_GOLD_CHARS = 4 * 1024 * 1024;

export const goldRouter = createTRPCRouter({
  import: adminProcedure
    .input(z.object({ projectId: id, content: z.string().max(MAX_GOLD_CHARS, "the gold file is larger than 4 MB; split it") }))
    .mutation(async ({ ctx, input }) => await importGold(ctx.db, input, ctx.user.id)),
});
