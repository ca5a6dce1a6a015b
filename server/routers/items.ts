// The item explorer for researchers: search and filter a project's ranked items, open one whole.
import { z } from "zod";
import { createTRPCRouter, researcherProcedure } from "../trpc";
import { getProject } from "../services/projects";
import { ITEM_FILTERS, itemDetail, listItems } from "../services/items";
import { id, paging } from "./inputs";

export const itemsRouter = createTRPCRouter({
  list: researcherProcedure
    .input(z.object({ projectId: id, search: z.string().max(200).optional(), filter: z.enum(ITEM_FILTERS).default("all"), ...paging }))
    .query(async ({ ctx, input }) => await listItems(ctx.db, { ...input, below: (await getProject(ctx.db, input.projectId)).reviewBelow })),
  get: researcherProcedure.input(z.object({ promptId: id })).query(async ({ ctx, input }) => await itemDetail(ctx.db, input.promptId)),
});
