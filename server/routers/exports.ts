// Background exports for the research page: start one (checked at once, written off the request), follow its
// progress, list one's recent exports, cancel. The file downloads from /api/export/jobs/[id] when whole.
import { z } from "zod";
import { EXPORT_FORMATS } from "../services/export-formats";
import { cancelExportJob, exportJobStatus, listExportJobs, startExportJob } from "../services/export-job";
import { createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

/** The filters as the page sends them: the same names and meanings as `rlhf export` flags and GET /api/export. */
const filterInput = z
  .object({
    project: z.string().trim().max(200).optional(),
    split: z.string().trim().max(20).optional(),
    since: z.string().trim().max(40).optional(),
    until: z.string().trim().max(40).optional(),
    model: z.string().trim().max(200).optional(),
    minAgreement: z.string().trim().max(20).optional(),
    annotator: z.string().trim().max(320).optional(),
    consensus: z.boolean().optional(),
    weights: z.boolean().optional(),
    includeGold: z.boolean().optional(),
  })
  .default({});

export const exportsRouter = createTRPCRouter({
  start: researcherProcedure
    .input(z.object({ format: z.enum(EXPORT_FORMATS, { error: `use one of ${EXPORT_FORMATS.join(", ")}` }), filter: filterInput }))
    .mutation(async ({ ctx, input }) => await startExportJob(ctx.db, { format: input.format, filter: input.filter, userId: ctx.user.id })),

  get: researcherProcedure.input(z.object({ id })).query(async ({ ctx, input }) => await exportJobStatus(ctx.db, input.id, ctx.user)),

  mine: researcherProcedure.query(async ({ ctx }) => await listExportJobs(ctx.db, ctx.user.id)),

  cancel: researcherProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => await cancelExportJob(ctx.db, input.id, ctx.user)),
});
