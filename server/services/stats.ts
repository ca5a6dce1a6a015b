// Dashboard figures: an annotator's own counts and median time, and per-project progress for admins.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { allRows } from "../../db/statements";
import { TASK_KINDS, type TaskKind } from "../../db/schema";

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export interface MyStats {
  today: number;
  total: number;
  /** Median time per submitted task; null before the first one. */
  medianTimeMs: number | null;
  byKind: Record<TaskKind, number>;
}

/** The user's submitted responses: today (server's local day), in total, per kind, and the median time taken. */
export async function myStats(db: Db, userId: string, now: Date = new Date()): Promise<MyStats> {
  const startOfDay = new Date(now);
  startOfDay.setHours(0, 0, 0, 0);
  const rows = await allRows<{ kind: TaskKind; submitted_at: number; time_ms: number | null }>(db, sql`
    select t.kind, a.submitted_at,
           coalesce((select r.time_ms from rankings r where r.assignment_id = a.id),
                    (select d.time_ms from demonstrations d where d.assignment_id = a.id)) as time_ms
    from assignments a join tasks t on t.id = a.task_id
    where a.user_id = ${userId} and a.status = 'submitted'`);
  const byKind: Record<TaskKind, number> = { demonstrate: 0, rank: 0 };
  for (const r of rows) byKind[r.kind]++;
  return {
    today: rows.filter((r) => r.submitted_at >= startOfDay.getTime()).length,
    total: rows.length,
    medianTimeMs: median(rows.map((r) => r.time_ms ?? 0)),
    byKind,
  };
}

/**
 * Every task kind, as SQL: "kind in (…)" lets a count of open tasks use the partial open-task index (kind first),
 * reading only tasks that still need responses instead of every task of the project.
 */
export const OPEN_TASK_KINDS = sql`(${sql.join(
  TASK_KINDS.map((k) => sql`${k}`),
  sql`, `,
)})`;

export interface ProjectProgress {
  projectId: string;
  name: string;
  prompts: number;
  /** Tasks that still need responses. */
  openTasks: number;
  /** Submitted annotator responses (demonstrations and rankings). */
  responses: number;
  perAnnotator: { email: string; count: number }[];
}

/**
 * Per-project progress for the admin and research pages. Prompts, responses and the per-annotator counts come from
 * `project_counts`, kept by triggers (migration 0009), so the cost follows the number of projects and annotators,
 * not of tasks; open tasks are still counted, on the partial open-task index.
 */
export async function projectProgress(db: Db): Promise<ProjectProgress[]> {
  const projects = await allRows<{ id: string; name: string; prompts: number; open_tasks: number; responses: number }>(db, sql`
    select p.id, p.name,
           coalesce((select c.n from project_counts c where c.project_id = p.id and c.user_id = '' and c.kind = 'prompts'), 0) as prompts,
           (select count(*) from tasks t where t.kind in ${OPEN_TASK_KINDS} and t.project_id = p.id and t.response_count < t.required_responses) as open_tasks,
           coalesce((select c.n from project_counts c where c.project_id = p.id and c.user_id = '' and c.kind = 'responses'), 0) as responses
    from projects p order by p.created_at, p.name`);
  const counts = await allRows<{ project_id: string; email: string; n: number }>(db, sql`
    select c.project_id, u.email, c.n
    from project_counts c join users u on u.id = c.user_id
    where c.kind = 'submitted' and c.n > 0`);
  const byProject = new Map<string, { email: string; count: number }[]>();
  for (const c of counts) {
    const list = byProject.get(c.project_id) ?? [];
    list.push({ email: c.email, count: c.n });
    byProject.set(c.project_id, list);
  }
  return projects.map((p) => ({
    projectId: p.id,
    name: p.name,
    prompts: p.prompts,
    openTasks: p.open_tasks,
    responses: p.responses,
    perAnnotator: (byProject.get(p.id) ?? []).sort((a, b) => b.count - a.count || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
  }));
}

export interface CountsByKind {
  demonstrate: number;
  rank: number;
}

type Row = { project_id: string; kind: "demonstrate" | "rank"; n: number };

function byProject(rows: Row[]): Map<string, CountsByKind> {
  const counts = new Map<string, CountsByKind>();
  for (const row of rows) {
    const entry = counts.get(row.project_id) ?? { demonstrate: 0, rank: 0 };
    entry[row.kind] = row.n;
    counts.set(row.project_id, entry);
  }
  return counts;
}

/**
 * Tasks still short of responses that this user has neither answered nor skipped: all open tasks (counted on the
 * open-task index) less the open ones among this user's own answers and skips (one assignment per task and user).
 * Both sides are indexed, so the cost follows the user's own work, not the size of the queue.
 */
export async function openTaskCountsFor(db: Db, userId: string): Promise<Map<string, CountsByKind>> {
  const open = byProject(
    await allRows<Row>(db, sql`
      select t.project_id, t.kind, count(*) as n
      from tasks t
      where t.kind in ${OPEN_TASK_KINDS} and t.response_count < t.required_responses
      group by t.project_id, t.kind`),
  );
  for (const done of await allRows<Row>(db, sql`
    select t.project_id, t.kind, count(*) as n
    from assignments a join tasks t on t.id = a.task_id
    where a.user_id = ${userId} and a.status in ('submitted', 'skipped') and t.response_count < t.required_responses
    group by t.project_id, t.kind`)) {
    const counts = open.get(done.project_id);
    if (counts) counts[done.kind] -= done.n;
  }
  return open;
}

/** Submitted demonstrations and rankings per project (imported ones included), read from `project_counts`. */
export async function responseCountsByProject(db: Db): Promise<Map<string, CountsByKind>> {
  return byProject(
    await allRows<Row>(db, sql`
      select c.project_id, case c.kind when 'demonstrations' then 'demonstrate' else 'rank' end as kind, c.n
      from project_counts c
      where c.kind in ('demonstrations', 'rankings') and c.user_id = '' and c.n > 0`),
  );
}
