// The review queue for reviewers (and admins): open items, one item with every ranking, adjudicate or send back.
import { z } from "zod";
import { eq } from "drizzle-orm";
import { reviews } from "../../db/schema";
import { createTRPCRouter, reviewerProcedure } from "../trpc";
import { notFound } from "../services/errors";
import { itemDetail } from "../services/items";
import { resolveReview, reviewQueue, sendBackForMoreRankings } from "../services/review";
import { id } from "./inputs";

const ordering = z.array(z.array(id).min(1)).min(2).max(16);

export const reviewsRouter = createTRPCRouter({
  queue: reviewerProcedure.input(z.object({ projectId: id })).query(async ({ ctx, input }) => await reviewQueue(ctx.db, input.projectId)),
  get: reviewerProcedure.input(z.object({ reviewId: id })).query(async ({ ctx, input }) => {
    const review = (await ctx.db.select().from(reviews).where(eq(reviews.id, input.reviewId)))[0];
    if (!review) throw notFound("No such review.");
    return { review, item: await itemDetail(ctx.db, review.promptId) };
  }),
  resolve: reviewerProcedure
    .input(z.object({ reviewId: id, ordering, note: z.string().trim().max(1000).optional() }))
    .mutation(async ({ ctx, input }) => await resolveReview(ctx.db, ctx.user.id, input)),
  sendBack: reviewerProcedure
    .input(z.object({ reviewId: id, extra: z.number().int().min(1).max(10).default(1) }))
    .mutation(async ({ ctx, input }) => await sendBackForMoreRankings(ctx.db, ctx.user.id, input)),
});
