// The root tRPC router: one router per noun, and a server-side caller for server components and tests.
import { createCallerFactory, createTRPCRouter } from "../trpc";
import { auditRouter } from "./audit";
import { demonstrationsRouter } from "./demonstrations";
import { exportsRouter } from "./exports";
import { goldRouter } from "./gold";
import { itemsRouter } from "./items";
import { modelsRouter } from "./models";
import { playgroundRouter } from "./playground";
import { projectsRouter } from "./projects";
import { promptsRouter } from "./prompts";
import { rankingsRouter } from "./rankings";
import { reviewsRouter } from "./reviews";
import { runsRouter } from "./runs";
import { statsRouter } from "./stats";
import { tasksRouter } from "./tasks";
import { tokensRouter } from "./tokens";
import { usersRouter } from "./users";

export const appRouter = createTRPCRouter({
  users: usersRouter,
  projects: projectsRouter,
  prompts: promptsRouter,
  tasks: tasksRouter,
  demonstrations: demonstrationsRouter,
  rankings: rankingsRouter,
  stats: statsRouter,
  items: itemsRouter,
  gold: goldRouter,
  reviews: reviewsRouter,
  audit: auditRouter,
  runs: runsRouter,
  models: modelsRouter,
  playground: playgroundRouter,
  tokens: tokensRouter,
  exports: exportsRouter,
});

export type AppRouter = typeof appRouter;

/** `createCaller(createTRPCContext({ headers, session }))` calls procedures directly, without HTTP. */
export const createCaller = createCallerFactory(appRouter);
