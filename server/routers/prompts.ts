// Prompts: admins import JSONL/CSV files (in the background, followed by importStatus); researchers and admins
// list, search and page through them.
import { z } from "zod";
import { SPLITS } from "../../db/schema";
import { adminProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { importStatus } from "../services/prompt-import-job";
import { listPrompts, startPromptFileImport } from "../services/prompts";
import { id, paging } from "./inputs";

/** 16 MB per upload: about 250 prompts at the 64 KB maximum, or tens of thousands of ordinary ones. */
const MAX_IMPORT_CHARS = 16 * 1024 * 1024;

export const promptsRouter = createTRPCRouter({
  /** Valid lines are kept; invalid ones come back as {line, message}; known prompts count as duplicates. */
  import: adminProcedure
    .input(z.object({ projectId: id, format: z.enum(["jsonl", "csv"]), content: z.string().max(MAX_IMPORT_CHARS, "the file is larger than 16 MB; split it") }))
    // Checked now, written in the background: the answer comes at once, and the page polls importStatus.
    .mutation(async ({ ctx, input }) => await startPromptFileImport(ctx.db, input, ctx.user.id)),

  importStatus: adminProcedure.input(z.object({ importId: id })).query(async ({ ctx, input }) => await importStatus(ctx.db, input.importId)),

  list: researcherProcedure
    .input(z.object({ projectId: id, search: z.string().max(200).optional(), split: z.enum(SPLITS).optional(), ...paging }))
    .query(async ({ ctx, input }) => await listPrompts(ctx.db, input)),
});
