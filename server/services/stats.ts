// Dashboard figures: an annotator's own counts and median time, and per-project progress for admins.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import type { TaskKind } from "../../db/schema";

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
export function myStats(db: Db, userId: string, now: Date = new Date()): MyStats {
  const startOfDay = new Date(now);
  startOfDay.setHours(0, 0, 0, 0);
  const rows = db.all<{ kind: TaskKind; submitted_at: number; time_ms: number | null }>(sql`
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

export function projectProgress(db: Db): ProjectProgress[] {
  const projects = db.all<{ id: string; name: string; prompts: number; open_tasks: number; responses: number }>(sql`
    select p.id, p.name,
           (select count(*) from prompts x where x.project_id = p.id) as prompts,
           (select count(*) from tasks t where t.project_id = p.id and t.response_count < t.required_responses) as open_tasks,
           (select coalesce(sum(t.response_count), 0) from tasks t where t.project_id = p.id) as responses
    from projects p order by p.created_at, p.name`);
  const counts = db.all<{ project_id: string; email: string; n: number }>(sql`
    select t.project_id, u.email, count(*) as n
    from assignments a join tasks t on t.id = a.task_id join users u on u.id = a.user_id
    where a.status = 'submitted'
    group by t.project_id, u.email order by n desc, u.email`);
  return projects.map((p) => ({
    projectId: p.id,
    name: p.name,
    prompts: p.prompts,
    openTasks: p.open_tasks,
    responses: p.responses,
    perAnnotator: counts.filter((c) => c.project_id === p.id).map((c) => ({ email: c.email, count: c.n })),
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

/** Tasks still short of responses that this user has neither answered nor skipped. */
export function openTaskCountsFor(db: Db, userId: string): Map<string, CountsByKind> {
  return byProject(
    db.all<Row>(sql`
      select t.project_id, t.kind, count(*) as n
      from tasks t
      where t.response_count < t.required_responses
        and not exists (select 1 from assignments a
                        where a.task_id = t.id and a.user_id = ${userId} and a.status in ('submitted', 'skipped'))
      group by t.project_id, t.kind`),
  );
}

/** Submitted demonstrations and rankings per project (imported ones included). */
export function responseCountsByProject(db: Db): Map<string, CountsByKind> {
  return byProject(
    db.all<Row>(sql`
      select p.project_id, 'demonstrate' as kind, count(*) as n
      from demonstrations d join prompts p on p.id = d.prompt_id
      where d.status = 'submitted' group by p.project_id
      union all
      select p.project_id, 'rank' as kind, count(*) as n
      from rankings r join prompts p on p.id = r.prompt_id
      group by p.project_id`),
  );
}
