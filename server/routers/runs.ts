// Training runs from the browser: admins queue and cancel runs (the worker executes them); researchers and admins
// list runs and read one run's metric series and log tail. A run is checked and created by the run-creation
// service, the same as `rlhf train`, so a bad config is rejected here before anything is queued.
import { desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/index";
import { models, runLogs } from "../../db/schema";
import { writeAudit } from "../services/audit";
import { createRunFromRequest } from "../services/run-creation";
import { RUN_KINDS } from "../services/run-kinds/index";
import { PROMPT_SETS } from "../services/run-kinds/sample-config";
import { runSamples } from "../services/sampling";
import { cancelRun, getRun, listRuns, runMetricSeries, type RunRow } from "../services/runs";
import { adminProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

export const MAX_CONFIG_BYTES = 16 * 1024;
/** How many log lines a run page shows. */
const LOG_TAIL = 200;
/** Points per series sent to the charts; a chart is ~250 px wide, and the page polls every 2 s while a run is live. */
export const MAX_CHART_POINTS = 500;

const config = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object, like {\"max_steps\": 50}" })
  .superRefine((obj, ctx) => {
    if (Buffer.byteLength(JSON.stringify(obj), "utf8") > MAX_CONFIG_BYTES)
      ctx.addIssue({ code: "custom", message: `is larger than ${MAX_CONFIG_BYTES / 1024} KB` });
  });

/** "Then send samples for labeling" on a training run: the sample run queued when it succeeds. */
const followUpInput = z.object({
  project: z.string().trim().min(1, "pick the project for the samples").max(200),
  prompt_set: z.enum(PROMPT_SETS).optional(),
  k: z.int().min(2).max(16).optional(),
  max_prompts: z.int().min(0).optional(),
});

const createInput = z.object({
  kind: z.enum(RUN_KINDS),
  /** Kinds that train need one; a sample run names its policies in its config instead. */
  baseModel: z.string().trim().max(64).optional(),
  rewardModel: z.string().trim().max(64).optional(),
  name: z.string().trim().max(64).optional(),
  config: config.default({}),
  followUp: followUpInput.optional(),
});

/** Model names by id, for the rows that mention models. */
async function modelNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const rows = await db.select({ id: models.id, name: models.name }).from(models).where(inArray(models.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A run row as the pages show it: model names instead of ids, and how long it ran. */
function describeRun(run: RunRow, names: Map<string, string>, now = Date.now()) {
  const end = run.finishedAt?.getTime() ?? (run.status === "running" ? now : null);
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    status: run.status,
    progress: run.progress,
    error: run.error,
    config: run.config,
    baseModelId: run.baseModelId,
    baseModel: run.baseModelId ? (names.get(run.baseModelId) ?? null) : null,
    rewardModelId: run.rewardModelId,
    rewardModel: run.rewardModelId ? (names.get(run.rewardModelId) ?? null) : null,
    outputModelId: run.outputModelId,
    outputModel: run.outputModelId ? (names.get(run.outputModelId) ?? null) : null,
    projectId: run.projectId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    heartbeatAt: run.heartbeatAt,
    durationMs: run.startedAt && end ? Math.max(0, end - run.startedAt.getTime()) : null,
  };
}

/**
 * Long series are averaged over equal buckets of steps (each bucket drawn at its last step), so a 20k-step run costs
 * the same to poll as a short one and the curve reads like a lightly smoothed loss.
 */
export function thinSeries(points: { step: number; value: number }[], max = MAX_CHART_POINTS) {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: { step: number; value: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push({ step: bucket[bucket.length - 1]!.step, value: bucket.reduce((sum, p) => sum + p.value, 0) / bucket.length });
  }
  return out;
}

/** The last `limit` log lines of a run, oldest first. */
async function logTail(db: Db, runId: string, limit = LOG_TAIL) {
  return (await db
    .select({ id: runLogs.id, at: runLogs.at, level: runLogs.level, message: runLogs.message })
    .from(runLogs)
    .where(eq(runLogs.runId, runId))
    .orderBy(desc(runLogs.id))
    .limit(limit))
    .reverse();
}

export const runsRouter = createTRPCRouter({
  list: researcherProcedure.query(async ({ ctx }) => {
    const rows = await listRuns(ctx.db, { limit: 200 });
    const names = await modelNames(ctx.db, rows.flatMap((r) => [r.baseModelId, r.rewardModelId, r.outputModelId]));
    return rows.map((r) => describeRun(r, names));
  }),

  get: researcherProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const run = await getRun(ctx.db, input.id);
    const names = await modelNames(ctx.db, [run.baseModelId, run.rewardModelId, run.outputModelId]);
    const metrics = Object.fromEntries(Object.entries(await runMetricSeries(ctx.db, run.id)).map(([name, points]) => [name, thinSeries(points)]));
    return { run: describeRun(run, names), metrics, logs: await logTail(ctx.db, run.id) };
  }),

  /** Checks and queues a run for the worker; bad input is a readable BAD_REQUEST and nothing is queued. */
  create: adminProcedure.input(createInput).mutation(async ({ ctx, input }) => {
    const run = await createRunFromRequest(ctx.db, {
      kind: input.kind,
      base: input.baseModel || undefined,
      reward: input.rewardModel || undefined,
      name: input.name || undefined,
      config: input.config,
      createdBy: ctx.user.id,
      registeredOnly: true,
      followUp: input.followUp,
    });
    return describeRun(run, await modelNames(ctx.db, [run.baseModelId, run.rewardModelId]));
  }),

  /** A sample run's prompts and completions (with the model that wrote each), for its run page. */
  samples: researcherProcedure.input(z.object({ id })).query(async ({ ctx, input }) => await runSamples(ctx.db, (await getRun(ctx.db, input.id)).id)),

  /** A queued run is cancelled at once; a running one stops at the worker's next cancellation check. */
  cancel: adminProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    return await ctx.db.transaction(async (tx) => {
      const run = await cancelRun(tx as unknown as Db, input.id);
      await writeAudit(tx, { userId: ctx.user.id, action: "run.cancel", entity: "run", entityId: run.id, detail: { kind: run.kind, name: run.name } });
      return { id: run.id, status: run.status };
    });
  }),
});
