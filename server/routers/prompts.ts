// Prompts: admins import JSONL/CSV files; researchers and admins list, search and page through them.
import { z } from "zod";
import { SPLITS } from "../../db/schema";
import { adminProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { importPrompts, listPrompts } from "../services/prompts";
import { id, paging } from "./inputs";

/** 16 MB per upload: about 250 prompts at the 64 KB maximum, or tens of thousands of ordinary ones. */
const MAX_IMPORT_CHARS = 16 * 1024 * 1024;

export const promptsRouter = createTRPCRouter({
  /** Valid lines are kept; invalid ones come back as {line, message}; known prompts count as duplicates. */
  import: adminProcedure
    .input(z.object({ projectId: id, format: z.enum(["jsonl", "csv"]), content: z.string().max(MAX_IMPORT_CHARS, "the file is larger than 16 MB; split it") }))
    .mutation(({ ctx, input }) => importPrompts(ctx.db, input, ctx.user.id)),

  list: researcherProcedure
    .input(z.object({ projectId: id, search: z.string().max(200).optional(), split: z.enum(SPLITS).optional(), ...paging }))
    .query(({ ctx, input }) => listPrompts(ctx.db, input)),
});
