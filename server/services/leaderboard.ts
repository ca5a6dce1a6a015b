// Win rates and the Bradley–Terry leaderboard read from the database: human rankings where completions of two
// models met, grouped by the model that wrote each completion (a registered model or an external name from a file).
import { and, eq, isNotNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, models, prompts, rankings } from "../../db/schema";
import { notFound } from "./errors";
import { getProject } from "./projects";
import { headToHeadCounts, leaderboard, winRate, type HeadToHead, type LeaderboardEntry, type WinRate } from "./win-rates";

/** The head-to-head table of one project (or of every project), from its usable rankings. */
export async function headToHeadInProject(db: Db, projectId?: string): Promise<HeadToHead[]> {
  const inProject: SQL[] = projectId ? [eq(prompts.projectId, projectId)] : [];
  // A completion's model: the name stored with it, else the registered model it points at.
  const modelName = sql<string>`coalesce(${completions.modelName}, ${models.name})`;
  const authorOf = new Map(
    (await db
      .select({ id: completions.id, model: modelName })
      .from(completions)
      .innerJoin(prompts, eq(completions.promptId, prompts.id))
      .leftJoin(models, eq(completions.modelId, models.id))
      .where(and(or(isNotNull(completions.modelName), isNotNull(completions.modelId)), ...inProject)))
      .map((c) => [c.id, c.model]),
  );
  if (!authorOf.size) return [];
  const orderings = await db
    .select({ ordering: rankings.ordering })
    .from(rankings)
    .innerJoin(prompts, eq(rankings.promptId, prompts.id))
    .where(and(eq(rankings.notRankable, false), ...inProject));
  const modelOf = (id: string) => authorOf.get(id) ?? null;
  return headToHeadCounts(orderings.map((r) => ({ ordering: r.ordering, modelOf })));
}

export interface LeaderboardRow extends LeaderboardEntry {
  /** Whether the name is a model in the registry (else an external name from an imported file). */
  registered: boolean;
}

/** Every model whose completions met another model's in the project's rankings, best Bradley–Terry rating first. */
export async function projectLeaderboard(db: Db, projectId: string): Promise<LeaderboardRow[]> {
  await getProject(db, projectId);
  const registered = new Set((await db.select({ name: models.name }).from(models)).map((m) => m.name));
  return leaderboard(await headToHeadInProject(db, projectId)).map((e) => ({ ...e, registered: registered.has(e.name) }));
}

/**
 * One model's win rate against each model its completions met (in one project, or in all), its parent first, then
 * by most comparisons. `name` may be a registered model or an external name.
 */
export async function modelWinRates(db: Db, name: string, projectId?: string): Promise<WinRate[]> {
  const model = (await db.select().from(models).where(eq(models.name, name)))[0];
  const parent = model?.parentId ? (await db.select({ name: models.name }).from(models).where(eq(models.id, model.parentId)))[0]?.name : undefined;
  const rates = (await headToHeadInProject(db, projectId))
    .filter((c) => c.model === name)
    .map(winRate)
    .sort((a, b) => b.comparisons - a.comparisons || a.against.localeCompare(b.against));
  if (!model && !rates.length) throw notFound(`no model named '${name}', and no ranked completions name it`);
  return parent ? [...rates.filter((r) => r.against === parent), ...rates.filter((r) => r.against !== parent)] : rates;
}

/** The JSON shape the CLI prints (snake_case, as `rlhf models show --json` and `leaderboard --json` promise). */
export function winRateJson(r: WinRate) {
  return { against: r.against, wins: r.wins, losses: r.losses, ties: r.ties, win_rate: r.winRate, ci_low: r.ciLow, ci_high: r.ciHigh };
}
