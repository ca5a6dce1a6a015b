// STOPGAP read-only queries the server does not offer yet (listed in the UI report for server/services/stats.ts):
// the open tasks an annotator could still get, per project and kind, and submitted responses per project and kind.
import { sql } from "drizzle-orm";
import { getDb } from "~/db/index";

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
export function openTaskCountsFor(userId: string): Map<string, CountsByKind> {
  return byProject(
    getDb().all<Row>(sql`
      select t.project_id, t.kind, count(*) as n
      from tasks t
      where t.response_count < t.required_responses
        and not exists (select 1 from assignments a
                        where a.task_id = t.id and a.user_id = ${userId} and a.status in ('submitted', 'skipped'))
      group by t.project_id, t.kind`),
  );
}

/** Submitted demonstrations and rankings per project (imported ones included). */
export function responseCountsByProject(): Map<string, CountsByKind> {
  return byProject(
    getDb().all<Row>(sql`
      select p.project_id, 'demonstrate' as kind, count(*) as n
      from demonstrations d join prompts p on p.id = d.prompt_id
      where d.status = 'submitted' group by p.project_id
      union all
      select p.project_id, 'rank' as kind, count(*) as n
      from rankings r join prompts p on p.id = r.prompt_id
      group by p.project_id`),
  );
}
