// Dashboards: an annotator's own figures; per-project progress and label quality for researchers and admins.
import { z } from "zod";
import { annotatorProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { getProject } from "../services/projects";
import { qualityReport } from "../services/quality";
import { myStats, projectProgress } from "../services/stats";
import { id } from "./inputs";

export const statsRouter = createTRPCRouter({
  mine: annotatorProcedure.query(({ ctx }) => myStats(ctx.db, ctx.user.id)),
  projectProgress: researcherProcedure.query(({ ctx }) => projectProgress(ctx.db)),
  /** α, agreement and per-annotator reliability; `itemsWithOverlap` 0 means nothing to measure yet. */
  quality: researcherProcedure.input(z.object({ projectId: id })).query(async ({ ctx, input }) => {
    const project = await getProject(ctx.db, input.projectId);
    return { ...(await qualityReport(ctx.db, project.id)), reviewBelow: project.reviewBelow };
  }),
});
