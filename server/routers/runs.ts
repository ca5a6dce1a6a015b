// Training runs from the browser: admins queue and cancel runs (the worker executes them); researchers and admins
// list runs and read one run's metric series and log tail. Config checks that need trainer code happen in the worker.
import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/index";
import { models, runLogs, runs } from "../../db/schema";
import { writeAudit } from "../services/audit";
import { badRequest, conflict } from "../services/errors";
import { assertModelName, findModel, resolveModel, uniqueModelName, type ModelRow } from "../services/models";
import { cancelRun, createRun, getRun, listRuns, runMetricSeries, type RunRow } from "../services/runs";
import { adminProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

/** The kinds a person can start from the browser (`sample` runs come from `rlhf sample`). */
export const WEB_RUN_KINDS = ["sft", "reward", "ppo", "dpo"] as const;
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
    // Keys starting with "_" are the trainer's own bookkeeping (checkpoint directories); a user may not set them.
    const reserved = Object.keys(obj).filter((k) => k.startsWith("_"));
    if (reserved.length) ctx.addIssue({ code: "custom", message: `key '${reserved[0]}' is reserved; remove it` });
  });

const createInput = z.object({
  kind: z.enum(WEB_RUN_KINDS),
  baseModel: z.string().trim().min(1, "pick a base model").max(64),
  rewardModel: z.string().trim().max(64).optional(),
  name: z.string().trim().max(64).optional(),
  config: config.default({}),
});

/** Model names by id, for the rows that mention models. */
function modelNames(db: Db, ids: (string | null)[]): Map<string, string> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const rows = db.select({ id: models.id, name: models.name }).from(models).where(inArray(models.id, wanted)).all();
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
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    heartbeatAt: run.heartbeatAt,
    durationMs: run.startedAt && end ? Math.max(0, end - run.startedAt.getTime()) : null,
  };
}

export type RunSummary = ReturnType<typeof describeRun>;

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
function logTail(db: Db, runId: string, limit = LOG_TAIL) {
  return db
    .select({ id: runLogs.id, at: runLogs.at, level: runLogs.level, message: runLogs.message })
    .from(runLogs)
    .where(eq(runLogs.runId, runId))
    .orderBy(desc(runLogs.id))
    .limit(limit)
    .all()
    .reverse();
}

/** True when a registered model, or a run that is still to finish, already claims this output name. */
function outputNameTaken(db: Db, name: string): boolean {
  if (findModel(db, name)) return true;
  return !!db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.name, name), inArray(runs.status, ["queued", "running"])))
    .get();
}

/** The output model name: the one asked for (checked), or `<base>-<kind>` made unique. */
function outputName(db: Db, wanted: string | undefined, base: ModelRow, kind: string): string {
  if (wanted) {
    assertModelName(wanted);
    if (outputNameTaken(db, wanted)) throw conflict(`a model or an unfinished run already uses the name '${wanted}'; pick another name`);
    return wanted;
  }
  let name = uniqueModelName(db, `${base.name}-${kind}`);
  for (let i = 2; outputNameTaken(db, name); i++) name = uniqueModelName(db, `${base.name}-${kind}-${i}`);
  return name;
}

export const runsRouter = createTRPCRouter({
  list: researcherProcedure.query(({ ctx }) => {
    const rows = listRuns(ctx.db, { limit: 200 });
    const names = modelNames(ctx.db, rows.flatMap((r) => [r.baseModelId, r.rewardModelId, r.outputModelId]));
    return rows.map((r) => describeRun(r, names));
  }),

  get: researcherProcedure.input(z.object({ id })).query(({ ctx, input }) => {
    const run = getRun(ctx.db, input.id);
    const names = modelNames(ctx.db, [run.baseModelId, run.rewardModelId, run.outputModelId]);
    const metrics = Object.fromEntries(Object.entries(runMetricSeries(ctx.db, run.id)).map(([name, points]) => [name, thinSeries(points)]));
    return { run: describeRun(run, names), metrics, logs: logTail(ctx.db, run.id) };
  }),

  /** Queues a run for the worker; the worker parses the config and fails the run with a one-line error if it is bad. */
  create: adminProcedure.input(createInput).mutation(({ ctx, input }) => {
    const base = resolveModel(ctx.db, input.baseModel, "policy");
    let reward: ModelRow | null = null;
    if (input.kind === "ppo") {
      if (!input.rewardModel) throw badRequest("PPO needs a reward model: pick one, or train one with a reward run first");
      reward = resolveModel(ctx.db, input.rewardModel, "reward");
      if (reward.tokenizer !== base.tokenizer)
        throw badRequest(`the policy '${base.name}' uses the '${base.tokenizer}' tokenizer but the reward model '${reward.name}' uses '${reward.tokenizer}': they must match`);
    } else if (input.rewardModel) {
      throw badRequest(`a ${input.kind} run takes no reward model; only PPO does`);
    }
    const name = outputName(ctx.db, input.name || undefined, base, input.kind);
    return ctx.db.transaction((tx) => {
      const run = createRun(tx as unknown as Db, {
        kind: input.kind,
        name,
        config: input.config,
        baseModelId: base.id,
        rewardModelId: reward?.id ?? null,
        createdBy: ctx.user.id,
      });
      writeAudit(tx, {
        userId: ctx.user.id,
        action: "run.create",
        entity: "run",
        entityId: run.id,
        detail: { kind: run.kind, base: base.name, reward: reward?.name ?? null, name, config: input.config },
      });
      return describeRun(run, new Map([[base.id, base.name], ...(reward ? [[reward.id, reward.name] as const] : [])]));
    });
  }),

  /** A queued run is cancelled at once; a running one stops at the worker's next cancellation check. */
  cancel: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => {
    return ctx.db.transaction((tx) => {
      const run = cancelRun(tx as unknown as Db, input.id);
      writeAudit(tx, { userId: ctx.user.id, action: "run.cancel", entity: "run", entityId: run.id, detail: { kind: run.kind, name: run.name } });
      return { id: run.id, status: run.status };
    });
  }),
});
