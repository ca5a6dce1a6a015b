// Prompts: import from parsed rows (deduplicated by external id or text hash), each new prompt opening its
// demonstration task; list, search and paginate.
import { createHash } from "node:crypto";
import { and, count, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index";
import { containsText, insertOrder } from "../../db/sql-fragments";
import { lockFor } from "../../db/statements";
import { prompts } from "../../db/schema";
import { writeAudit, type DbOrTx } from "./audit";
import { getProject } from "./projects";
import { parsePromptFile, type LineError, type PromptRow } from "./prompt-parse";
import { importPromptRowsInBatches, startPromptImport, type ImportProgress } from "./prompt-import-job";
import { openDemonstrateTask } from "./task-queue";

/**
 * The prompts of one split (optionally one project) in import order. Import order (insertOrder), not the random ids or
 * a shared created_at second, keeps sampling and PPO's prompt batches repeatable from their seeds.
 */
export async function promptsInSplit(db: Db, split: "train" | "test", projectId?: string): Promise<Array<{ id: string; text: string; projectId: string }>> {
  return await db
    .select({ id: prompts.id, text: prompts.text, projectId: prompts.projectId })
    .from(prompts)
    .where(and(eq(prompts.split, split), ...(projectId ? [eq(prompts.projectId, projectId)] : [])))
    .orderBy(insertOrder(prompts));
}

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export interface ImportResult {
  imported: number;
  duplicates: number;
  errors: LineError[];
}

/**
 * What makes two prompts the same: the text, or for a chat transcript every turn (two conversations that end with
 * the same "Thanks!" are different prompts).
 */
function promptIdentity(text: string, messages: { role: string; content: string }[] | null | undefined): string {
  return textHash(messages?.length ? JSON.stringify(messages.map((m) => [m.role, m.content])) : text);
}

async function findExisting(db: DbOrTx, projectId: string, hash: string, externalId: string | null) {
  if (externalId) {
    const byId = (await db
      .select({ id: prompts.id })
      .from(prompts)
      .where(and(eq(prompts.projectId, projectId), eq(prompts.externalId, externalId))))[0];
    if (byId) return byId;
  }
  return (await db
    .select({ id: prompts.id })
    .from(prompts)
    .where(and(eq(prompts.projectId, projectId), eq(prompts.textHash, hash))))[0];
}

/** Inserts one prompt unless it is already there; returns its id and whether it was new. */
export async function insertPromptIfNew(
  db: DbOrTx,
  projectId: string,
  row: {
    prompt: string;
    externalId?: string | null;
    tags?: string[];
    split?: "train" | "test" | null;
    source?: string;
    importId?: string;
    messages?: { role: string; content: string }[] | null;
  },
): Promise<{ id: string; created: boolean }> {
  const hash = promptIdentity(row.prompt, row.messages);
  // Read, then insert: a second process filing the same prompt waits, then finds it (db/statements.ts).
  await lockFor(db, "tasks");
  const existing = await findExisting(db, projectId, hash, row.externalId ?? null);
  if (existing) return { id: existing.id, created: false };
  const id = (await db
    .insert(prompts)
    .values({
      projectId,
      text: row.prompt,
      messages: row.messages ?? null,
      externalId: row.externalId ?? null,
      tags: row.tags ?? [],
      split: row.split ?? "train",
      source: row.source ?? "import",
      textHash: hash,
      importId: row.importId ?? null,
    })
    .returning({ id: prompts.id }))[0].id;
  return { id, created: true };
}

/**
 * Imports parsed rows in one transaction: new prompts are stored with a `demonstrate` task each; rows already
 * in the project (same external id or same text) count as duplicates and change nothing.
 */
export async function importPromptRows(db: Db, projectId: string, rows: PromptRow[], actorId: string | null): Promise<{ imported: number; duplicates: number; promptIds: string[] }> {
  return await db.transaction(async (tx) => {
    const project = await getProject(tx, projectId);
    let imported = 0;
    let duplicates = 0;
    const promptIds: string[] = [];
    for (const row of rows) {
      const { id, created } = await insertPromptIfNew(tx, projectId, row);
      promptIds.push(id);
      if (!created) {
        duplicates++;
        continue;
      }
      await openDemonstrateTask(tx, { projectId, promptId: id, requiredResponses: project.overlap });
      imported++;
    }
    await writeAudit(tx, { userId: actorId, action: "prompts.import", entity: "project", entityId: projectId, detail: { imported, duplicates } });
    return { imported, duplicates, promptIds };
  });
}

/**
 * Parses a JSONL or CSV file in full, then imports its valid lines in short batches (prompt-import-job.ts), so the
 * database is never held for the whole file; the invalid lines come back with their numbers.
 */
export async function importPrompts(
  db: Db,
  input: { projectId: string; format: "jsonl" | "csv"; content: string },
  actorId: string | null,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<ImportResult> {
  await getProject(db, input.projectId);
  const { rows, errors } = parsePromptFile(input.format, input.content);
  const { imported, duplicates } = await importPromptRowsInBatches(db, input.projectId, rows, actorId, onProgress);
  return { imported, duplicates, errors };
}

/**
 * The web app's import: the file parsed and checked in full now, its valid lines written in the background; the
 * page follows it with importStatus(importId).
 */
export async function startPromptFileImport(
  db: Db,
  input: { projectId: string; format: "jsonl" | "csv"; content: string },
  actorId: string | null,
): Promise<{ importId: string; total: number; errors: LineError[] }> {
  await getProject(db, input.projectId);
  const { rows, errors } = parsePromptFile(input.format, input.content);
  const { importId } = await startPromptImport(db, input.projectId, rows, errors, actorId);
  return { importId, total: rows.length, errors };
}

export async function listPrompts(
  db: Db,
  input: { projectId: string; search?: string; split?: "train" | "test"; page: number; pageSize: number },
) {
  const where: SQL[] = [eq(prompts.projectId, input.projectId)];
  if (input.split) where.push(eq(prompts.split, input.split));
  if (input.search?.trim()) where.push(containsText(prompts.text, input.search.trim()));
  const filter = and(...where);
  // The page's ids first (an index walk, however deep the page), then the counts for those 50 prompts only: counting
  // inside the paged query would count for every row the offset skips.
  const ids = (await db
    .select({ id: prompts.id })
    .from(prompts)
    .where(filter)
    .orderBy(insertOrder(prompts))
    .limit(input.pageSize)
    .offset((input.page - 1) * input.pageSize))
    .map((r) => r.id);
  const items = ids.length
    ? await db
        .select({
          id: prompts.id,
          text: prompts.text,
          externalId: prompts.externalId,
          tags: prompts.tags,
          split: prompts.split,
          source: prompts.source,
          createdAt: prompts.createdAt,
          // Qualified by hand: drizzle writes a one-table select's columns bare ("id"), which inside the subquery
          // would mean the inner table's own id and count nothing.
          completionCount: sql<number>`(select count(*) from completions c where c.prompt_id = "prompts"."id")`,
          demonstrationCount: sql<number>`(select count(*) from demonstrations d where d.prompt_id = "prompts"."id" and d.status = 'submitted')`,
          rankingCount: sql<number>`(select count(*) from rankings r where r.prompt_id = "prompts"."id")`,
        })
        .from(prompts)
        .where(inArray(prompts.id, ids))
        .orderBy(insertOrder(prompts))
    : [];
  const total = (await db.select({ n: count() }).from(prompts).where(filter))[0]!.n;
  return { items, total, page: input.page, pageSize: input.pageSize };
}
