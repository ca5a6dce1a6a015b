// Projects: everyone signed in can read them (annotators need the guidelines); admins create and edit.
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { newProjectInput, projectUpdateInput } from "../services/project-settings";
import { createProject, getProject, listProjects, updateProject } from "../services/projects";
import { id } from "./inputs";

export const projectsRouter = createTRPCRouter({
  list: protectedProcedure.query(async ({ ctx }) => await listProjects(ctx.db)),

  get: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => await getProject(ctx.db, input.id)),

  create: adminProcedure
    .input(newProjectInput)
    .mutation(async ({ ctx, input }) => await createProject(ctx.db, input, ctx.user.id)),

  update: adminProcedure
    .input(z.object({ id }).extend(projectUpdateInput.shape))
    .mutation(async ({ ctx, input }) => await updateProject(ctx.db, input, ctx.user.id)),
});
