// Projects: everyone signed in can read them (annotators need the guidelines); admins create and edit.
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { createProject, getProject, listProjects, updateProject } from "../services/projects";
import { MAX_RANK_COMPLETIONS, MIN_RANK_COMPLETIONS } from "../services/task-queue";
import { id, longText } from "./inputs";

const settings = {
  name: z.string().trim().min(1, "give the project a name").max(200),
  guidelines: longText("The guidelines"),
  k: z.number().int().min(MIN_RANK_COMPLETIONS).max(MAX_RANK_COMPLETIONS),
  overlap: z.number().int().min(1).max(100),
  allowTies: z.boolean(),
  flags: z.array(z.string().trim().min(1).max(40)).max(16).refine((f) => new Set(f).size === f.length, "flags must be unique"),
  likertScale: z.union([z.literal(0), z.number().int().min(2).max(10)]),
};

export const projectsRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listProjects(ctx.db)),

  get: protectedProcedure.input(z.object({ id })).query(({ ctx, input }) => getProject(ctx.db, input.id)),

  create: adminProcedure
    .input(z.object({ name: settings.name }).extend(z.object(settings).omit({ name: true }).partial().shape))
    .mutation(({ ctx, input }) => createProject(ctx.db, input, ctx.user.id)),

  update: adminProcedure
    .input(z.object({ id }).extend(z.object(settings).partial().shape))
    .mutation(({ ctx, input }) => updateProject(ctx.db, input, ctx.user.id)),
});
