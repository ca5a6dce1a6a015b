// Dashboards: an annotator's own figures; per-project progress for researchers and admins.
import { annotatorProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { myStats, projectProgress } from "../services/stats";

export const statsRouter = createTRPCRouter({
  mine: annotatorProcedure.query(({ ctx }) => myStats(ctx.db, ctx.user.id)),
  projectProgress: researcherProcedure.query(({ ctx }) => projectProgress(ctx.db)),
});
