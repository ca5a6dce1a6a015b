// STOPGAP until the server offers it (see the UI report): per project and kind, the open tasks this annotator
// could still be handed (still short of responses, and not already answered or skipped by them).
import { sql } from "drizzle-orm";
import { getDb } from "~/db/index";

export interface OpenCounts {
  demonstrate: number;
  rank: number;
}

export function openTaskCountsFor(userId: string): Map<string, OpenCounts> {
  const rows = getDb().all<{ project_id: string; kind: "demonstrate" | "rank"; n: number }>(sql`
    select t.project_id, t.kind, count(*) as n
    from tasks t
    where t.response_count < t.required_responses
      and not exists (select 1 from assignments a
                      where a.task_id = t.id and a.user_id = ${userId} and a.status in ('submitted', 'skipped'))
    group by t.project_id, t.kind`);
  const counts = new Map<string, OpenCounts>();
  for (const row of rows) {
    const entry = counts.get(row.project_id) ?? { demonstrate: 0, rank: 0 };
    entry[row.kind] = row.n;
    counts.set(row.project_id, entry);
  }
  return counts;
}
