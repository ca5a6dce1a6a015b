// The audit log, newest first, for admins.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { listAudit } from "../services/audit";
import { paging } from "./inputs";

export const auditRouter = createTRPCRouter({
  list: adminProcedure.input(z.object(paging).optional()).query(async ({ ctx, input }) => await listAudit(ctx.db, { page: input?.page ?? 1, pageSize: input?.pageSize ?? 50 })),
});
