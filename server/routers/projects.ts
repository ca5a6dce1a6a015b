// Projects: everyone signed in can read them (annotators need the guidelines); admins create and edit.
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { newProjectInput, projectUpdateInput } from "../services/project-settings";
import { createProject, getProject, listProjects, updateProject } from "../services/projects";
import { id } from "./inputs";

export const projectsRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listProjects(ctx.db)),

  get: protectedProcedure.input(z.object({ id })).query(({ ctx, input }) => getProject(ctx.db, input.id)),

  create: adminProcedure
    .input(newProjectInput)
    .mutation(({ ctx, input }) => createProject(ctx.db, input, ctx.user.id)),

  update: adminProcedure
    .input(z.object({ id }).extend(projectUpdateInput.shape))
    .mutation(({ ctx, input }) => updateProject(ctx.db, input, ctx.user.id)),
});
