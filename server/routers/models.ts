// The model registry for researchers and admins: each model with its parent, the run that made it and a config
// summary; and how models fare in human rankings (win rates, the per-project leaderboard).
import { inArray } from "drizzle-orm";
import { z } from "zod";
import { runs } from "../../db/schema";
import { ENDPOINT_APIS, endpointOf, registerEndpoint } from "../services/endpoints";
import { modelWinRates, projectLeaderboard } from "../services/leaderboard";
import { listModels } from "../services/models";
import { adminProcedure, createTRPCRouter, researcherProcedure } from "../trpc";
import { id } from "./inputs";

/** Shape and headline numbers worth a glance; the rest of a model's config stays on disk. */
const SUMMARY_KEYS = ["n_layer", "n_head", "n_embd", "n_positions", "vocab_size", "n_params"] as const;

function configSummary(config: Record<string, unknown>): string {
  const parts = SUMMARY_KEYS.filter((k) => typeof config[k] === "number").map((k) => `${k} ${config[k] as number}`);
  const metrics = (config.metrics ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(metrics).slice(0, 3))
    if (typeof v === "number" && Number.isFinite(v)) parts.push(`${k} ${Number(v.toPrecision(4))}`);
  if (config.builtin === true) parts.push("built-in");
  return parts.join(" · ");
}

export const modelsRouter = createTRPCRouter({
  list: researcherProcedure.query(async ({ ctx }) => {
    const rows = await listModels(ctx.db);
    const names = new Map(rows.map((m) => [m.id, m.name]));
    const runIds = rows.map((m) => m.runId).filter((x): x is string => !!x);
    const runKinds = new Map(
      runIds.length ? (await ctx.db.select({ id: runs.id, kind: runs.kind }).from(runs).where(inArray(runs.id, runIds))).map((r) => [r.id, r.kind]) : [],
    );
    return rows.map((m) => ({
      id: m.id,
      name: m.name,
      kind: m.kind,
      parentId: m.parentId,
      parent: m.parentId ? (names.get(m.parentId) ?? null) : null,
      runId: m.runId,
      runKind: m.runId ? (runKinds.get(m.runId) ?? null) : null,
      tokenizer: m.tokenizer,
      source: m.source,
      endpoint: endpointOf(m),
      createdAt: m.createdAt,
      summary: configSummary(m.config),
    }));
  }),

  /** One model's win rates (a registered model or an external name), its parent first; all projects unless one is given. */
  winRates: researcherProcedure
    .input(z.object({ name: z.string().trim().min(1, "is required").max(64, "is not a model name"), projectId: id.optional() }))
    .query(async ({ ctx, input }) => await modelWinRates(ctx.db, input.name, input.projectId)),

  /** The project's Bradley–Terry leaderboard, best first, with each model's win rates. */
  leaderboard: researcherProcedure.input(z.object({ projectId: id })).query(async ({ ctx, input }) => await projectLeaderboard(ctx.db, input.projectId)),

  /** Registers a policy behind an OpenAI-compatible API; the key stays in the server's environment (named only). */
  addEndpoint: adminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "give the model a name").max(64),
        baseUrl: z.string().trim().min(1, "give the server's base URL").max(500),
        model: z.string().trim().min(1, "give the model id the server knows").max(200),
        apiKeyEnv: z.string().trim().max(128).optional(),
        api: z.enum(ENDPOINT_APIS).default("chat"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const row = await registerEndpoint(ctx.db, input, ctx.user.id);
      return { id: row.id, name: row.name, endpoint: endpointOf(row) };
    }),
});
