// Importing a prompt file without holding the database: the file is parsed and checked in full first, then its
// prompts go in batches of a few hundred, each its own short transaction, with the event loop free between them,
// so web requests and other processes get the lock in milliseconds. Annotators see nothing until every prompt is in
// (they are only ever handed tasks, and the tasks open last, also in batches). If the process dies while prompts
// are going in, the next import or start takes that import back whole; if it dies while tasks open, it finishes.
import { and, eq, inArray, lt } from "drizzle-orm";
import type { Db } from "../../db/index";
import { insertOrder, rowsChanged } from "../../db/sql-fragments";
import { completions, demonstrations, imports, models, prompts, rankings, tasks } from "../../db/schema";
import { writeAudit } from "./audit";
import { getProject } from "./projects";
import { insertPromptIfNew } from "./prompts";
import { notFound } from "./errors";
import type { LineError, PromptRow } from "./prompt-parse";
import { openDemonstrateTask, openRankTask } from "./task-queue";
import { mapInOrder } from "./async-iter";

/** The most rows one transaction writes; also the batch size for taking an import back and finishing its tasks. */
export const IMPORT_BATCH_ROWS = 100;
/**
 * How long one batch may hold the write lock. A web request that finds the lock taken waits in SQLite's busy
 * handler, which sleeps 1, 2, 5, 10 ms… between tries; a batch that ends within a few milliseconds lets it in on an
 * early try. Counting time rather than rows keeps that true on a slow disk or a busy CPU (measured in BENCHMARKS.md:
 * 100-row batches put p99 at 128 ms during a 200,000-prompt import).
 */
export const IMPORT_BATCH_MS = 4;
/**
 * The pause after each batch: at least as long as the batch held the lock, and never under 20 ms. Other writers
 * wait in SQLite's busy handler, which sleeps 1–25 ms between tries at first; a pause shorter than that, or none,
 * lets the importer take the lock again every time and starves the web app (measured: p99 2.9 s without it).
 */
export const IMPORT_MIN_GAP_MS = 20;
/** An import whose heartbeat is older than this belongs to a process that died. */
export const IMPORT_STALE_MS = 60_000;

export interface ImportProgress {
  phase: "writing" | "opening_tasks";
  done: number;
  total: number;
}

/** Gives the lock (and this process's event loop) away for a while after a batch that held it `heldMs`. */
const pauseAfterBatch = (heldMs: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(IMPORT_MIN_GAP_MS, heldMs)));

/** Records a new import of `rows` (its bad lines kept for the status), before anything is written. */
async function createImport(db: Db, projectId: string, totalRows: number, lineErrors: LineError[], actorId: string | null, kind: ImportKind = "prompts"): Promise<string> {
  await recoverInterruptedImports(db);
  await getProject(db, projectId);
  return (await db.insert(imports).values({ kind, projectId, totalRows, lineErrors: lineErrors.slice(0, 1000), createdBy: actorId, heartbeatAt: new Date() }).returning({ id: imports.id }))[0].id;
}

type ImportKind = (typeof imports.$inferSelect)["kind"];
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * The one batch loop every import phase runs: each batch a transaction (IMMEDIATE, as all are: db/index.ts) that also records the import's
 * progress and heartbeat, then a pause that hands the lock back.
 */
async function inBatches<T>(
  db: Db,
  importId: string,
  items: readonly T[],
  phase: ImportProgress["phase"],
  writeOne: (tx: Tx, item: T) => Promise<void>,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; ) {
    // Timed from inside the transaction: waiting for the lock is not holding it.
    let held = 0;
    await db.transaction(async (tx) => {
      const started = performance.now();
      const end = Math.min(items.length, i + IMPORT_BATCH_ROWS);
      do await writeOne(tx, items[i++]!);
      while (i < end && performance.now() - started < IMPORT_BATCH_MS);
      await tx.update(imports).set({ doneRows: i, heartbeatAt: new Date() }).where(eq(imports.id, importId));
      held = performance.now() - started;
    });
    await onProgress?.({ phase, done: i, total: items.length });
    await pauseAfterBatch(held);
  }
}

/**
 * The batch loop for demonstration and ranking files (data-import.ts): `writeOne` writes one checked record inside
 * the batch's transaction, tagging what it creates with the import id. No tasks open, so the import ends with its
 * last batch; a failure takes back everything it wrote.
 */
export async function writeInBatches<T>(
  db: Db,
  meta: { kind: ImportKind; projectId: string; total: number; lineErrors: LineError[]; actorId: string | null; action: string },
  records: readonly T[],
  writeOne: (tx: Tx, record: T, importId: string) => Promise<void>,
  counts: () => { imported: number; duplicates: number },
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<string> {
  const importId = await createImport(db, meta.projectId, meta.total, meta.lineErrors, meta.actorId, meta.kind);
  try {
    await inBatches(db, importId, records, "writing", async (tx, record) => await writeOne(tx, record, importId), onProgress);
  } catch (err) {
    await takeBack(db, importId, err instanceof Error ? err.message : String(err));
    throw err;
  }
  const { imported, duplicates } = counts();
  await db.transaction(async (tx) => {
    await tx.update(imports).set({ status: "succeeded", importedRows: imported, duplicateRows: duplicates, finishedAt: new Date() }).where(eq(imports.id, importId));
    await writeAudit(tx, { userId: meta.actorId, action: meta.action, entity: "project", entityId: meta.projectId, detail: { imported, duplicates, import_id: importId } });
  });
  return importId;
}

/** Registered model names → ids, read once per import: an imported completion names its model by name. */
async function registeredModelIds(db: Db): Promise<Map<string, string>> {
  return new Map((await db.select({ id: models.id, name: models.name }).from(models)).map((m) => [m.name, m.id]));
}

/**
 * One row of a prompt file: the prompt unless it is already there, and the completions the row brings (new texts
 * only: a text the prompt already has is reused), all tagged with the import so a dead import is taken back whole.
 * A prompt already in the project still gets the row's completions and, later, a ranking task over them (a team
 * often imports its prompts first and its models' outputs later). Returns the completion ids its task will show.
 */
async function writePromptRow(tx: Tx, projectId: string, row: PromptRow, importId: string, modelIds: Map<string, string>): Promise<{ promptId: string; completionIds: string[]; created: boolean }> {
  const r = await insertPromptIfNew(tx, projectId, { ...row, importId });
  const known = async (text: string) =>
    r.created ? undefined : (await tx.select({ id: completions.id }).from(completions).where(and(eq(completions.promptId, r.id), eq(completions.text, text))))[0]?.id;
  const completionIds = await mapInOrder((row.completions ?? []), async (c) =>
      await known(c.text) ??
      (await tx
        .insert(completions)
        .values({ promptId: r.id, text: c.text, origin: "import", modelName: c.model, modelId: c.model ? (modelIds.get(c.model) ?? null) : null, importId })
        .returning({ id: completions.id }))[0].id,
  );
  return { promptId: r.id, completionIds, created: r.created };
}

/**
 * Opens a new prompt's task: a ranking over the completions it came with (K = their number, whatever the
 * project's k), or else its demonstration task.
 */
async function openImportedPromptTask(tx: Tx, projectId: string, overlap: number, prompt: { promptId: string; completionIds: string[] }): Promise<void> {
  if (prompt.completionIds.length) await openRankTask(tx, { projectId, promptId: prompt.promptId, completionIds: prompt.completionIds });
  else await openDemonstrateTask(tx, { projectId, promptId: prompt.promptId, requiredResponses: overlap });
}

/**
 * Writes an import's rows in batches, then opens their tasks. New prompts get a `demonstrate` task each (or a `rank`
 * task over the completions they came with) once all are in; duplicates (same external id or text, in the project
 * or earlier in the file) change nothing, their completions included.
 */
async function runImport(db: Db, importId: string, projectId: string, rows: readonly PromptRow[], actorId: string | null, onProgress?: (p: ImportProgress) => void | Promise<void>): Promise<{ imported: number; duplicates: number }> {
  const project = await getProject(db, projectId);
  const now = () => new Date();
  const created: { promptId: string; completionIds: string[] }[] = [];
  /** Prompts already in the project that the file brings completions for: they get a ranking task too. */
  const rankedAgain: { promptId: string; completionIds: string[] }[] = [];
  const modelIds = await registeredModelIds(db);
  let duplicates = 0;
  try {
    await inBatches(
      db,
      importId,
      rows,
      "writing",
      async (tx, row) => {
        const r = await writePromptRow(tx, projectId, row, importId, modelIds);
        if (r.created) created.push(r);
        else {
          duplicates++;
          if (r.completionIds.length) rankedAgain.push(r);
        }
      },
      onProgress,
    );
  } catch (err) {
    await takeBack(db, importId, err instanceof Error ? err.message : String(err));
    throw err;
  }
  await db.update(imports).set({ status: "opening_tasks", doneRows: 0, importedRows: created.length, duplicateRows: duplicates, heartbeatAt: now() }).where(eq(imports.id, importId));
  // A ranking task over the same completions is opened once (openRankTask), so a re-import opens nothing new.
  await inBatches(db, importId, [...created, ...rankedAgain], "opening_tasks", async (tx, prompt) => await openImportedPromptTask(tx, projectId, project.overlap, prompt), onProgress);
  await db.transaction(async (tx) => {
    await tx.update(imports).set({ status: "succeeded", finishedAt: now() }).where(eq(imports.id, importId));
    await writeAudit(tx, { userId: actorId, action: "prompts.import", entity: "project", entityId: projectId, detail: { imported: created.length, duplicates, import_id: importId } });
  });
  return { imported: created.length, duplicates };
}

/** Imports parsed rows and waits for the end (the CLI, with its progress bar). */
export async function importPromptRowsInBatches(
  db: Db,
  projectId: string,
  rows: readonly PromptRow[],
  actorId: string | null,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<{ imported: number; duplicates: number; importId: string }> {
  const importId = await createImport(db, projectId, rows.length, [], actorId);
  return { ...(await runImport(db, importId, projectId, rows, actorId, onProgress)), importId };
}

/**
 * Starts an import in the background and returns at once (the web app): the request that uploaded the file does
 * not wait for 200,000 prompts, and the page follows the import with importStatus.
 */
export async function startPromptImport(db: Db, projectId: string, rows: readonly PromptRow[], lineErrors: LineError[], actorId: string | null): Promise<{ importId: string }> {
  const importId = await createImport(db, projectId, rows.length, lineErrors, actorId);
  runImport(db, importId, projectId, rows, actorId).catch((err) => {
    // takeBack already recorded the failure on the import; the page shows it.
    console.error(`prompt import ${importId} failed:`, err);
  });
  return { importId };
}

export interface ImportStatus {
  id: string;
  projectId: string;
  status: (typeof imports.$inferSelect)["status"];
  /** 0..1 over both phases (writing prompts counts for 80%: it is most of the work). */
  progress: number;
  total: number;
  imported: number;
  duplicates: number;
  errors: LineError[];
  error: string | null;
}

export async function importStatus(db: Db, importId: string): Promise<ImportStatus> {
  const imp = (await db.select().from(imports).where(eq(imports.id, importId)))[0];
  if (!imp) throw notFound(`no import with id '${importId}'`);
  const fraction = (done: number, total: number) => (total ? Math.min(1, done / total) : 1);
  const progress =
    imp.status === "succeeded" ? 1 : imp.status === "writing" ? 0.8 * fraction(imp.doneRows, imp.totalRows) : imp.status === "opening_tasks" ? 0.8 + 0.2 * fraction(imp.doneRows, imp.importedRows) : 0;
  return {
    id: imp.id,
    projectId: imp.projectId,
    status: imp.status,
    progress,
    total: imp.totalRows,
    imported: imp.importedRows,
    duplicates: imp.duplicateRows,
    errors: imp.lineErrors,
    error: imp.error,
  };
}

/**
 * What an import that died while opening tasks still has to open: its own prompts that have no task yet, and any
 * prompt it brought completions for whose ranking task is missing, each with those completions in file order.
 */
async function promptsWithoutTask(db: Db, importId: string, projectId: string): Promise<{ promptId: string; completionIds: string[] }[]> {
  const projectTasks = await db.select({ promptId: tasks.promptId, completionIds: tasks.completionIds }).from(tasks).where(eq(tasks.projectId, projectId));
  const withTask = new Set(projectTasks.map((r) => r.promptId));
  const inRankTask = new Set(projectTasks.flatMap((r) => r.completionIds));
  const brought = new Map<string, string[]>();
  for (const c of await db.select({ id: completions.id, promptId: completions.promptId }).from(completions).where(eq(completions.importId, importId)).orderBy(insertOrder(completions)))
    brought.set(c.promptId, [...(brought.get(c.promptId) ?? []), c.id]);
  const own = (await db
    .select({ id: prompts.id })
    .from(prompts)
    .where(eq(prompts.importId, importId))
    .orderBy(insertOrder(prompts)))
    .map((r) => r.id);
  const ownSet = new Set(own);
  return [
    ...own.filter((id) => !withTask.has(id)).map((promptId) => ({ promptId, completionIds: brought.get(promptId) ?? [] })),
    ...[...brought].filter(([promptId, ids]) => !ownSet.has(promptId) && !ids.some((id) => inRankTask.has(id))).map(([promptId, completionIds]) => ({ promptId, completionIds })),
  ];
}

/**
 * Deletes what an import wrote, in batches (no task exists for it yet: tasks open only after the last prompt), the
 * rows that point at prompts first, and marks the import failed.
 */
async function takeBack(db: Db, importId: string, reason: string): Promise<void> {
  for (const table of [rankings, demonstrations, completions, prompts]) {
    for (;;) {
      const ids = (await db.select({ id: table.id }).from(table).where(eq(table.importId, importId)).limit(IMPORT_BATCH_ROWS)).map((r) => r.id);
      if (!ids.length) break;
      await db.delete(table).where(inArray(table.id, ids));
    }
  }
  await db.update(imports).set({ status: "failed", error: reason.slice(0, 2000), finishedAt: new Date() }).where(eq(imports.id, importId));
}

/**
 * Imports whose process died: one that was still writing prompts is taken back whole; one that had them all in
 * gets its remaining tasks opened. Returns how many it took back and how many it finished.
 */
export async function recoverInterruptedImports(db: Db, now = new Date()): Promise<{ takenBack: number; finished: number }> {
  const stale = await db
    .select()
    .from(imports)
    .where(and(inArray(imports.status, ["writing", "opening_tasks"]), lt(imports.heartbeatAt, new Date(now.getTime() - IMPORT_STALE_MS))));
  let takenBack = 0;
  let finished = 0;
  for (const imp of stale) {
    // Claimed by moving its heartbeat on from the value read: of several processes starting at once, one recovers it.
    const claimed = rowsChanged(await db.update(imports).set({ heartbeatAt: new Date() }).where(and(eq(imports.id, imp.id), eq(imports.heartbeatAt, imp.heartbeatAt))));
    if (!claimed) continue;
    if (imp.status === "writing") {
      await takeBack(db, imp.id, "the importing process stopped before every prompt was in; nothing of it was kept");
      takenBack++;
    } else {
      // Synchronous here (start-up and the next import call it): the remaining tasks, then done.
      const overlap = (await getProject(db, imp.projectId)).overlap;
      const missing = await promptsWithoutTask(db, imp.id, imp.projectId);
      for (let i = 0; i < missing.length; i += IMPORT_BATCH_ROWS)
        await db.transaction(async (tx) => {
          for (const prompt of missing.slice(i, i + IMPORT_BATCH_ROWS)) await openImportedPromptTask(tx, imp.projectId, overlap, prompt);
          // Still alive: no other process takes the import over while its tasks open.
          await tx.update(imports).set({ heartbeatAt: new Date() }).where(eq(imports.id, imp.id));
        });
      await db.update(imports).set({ status: "succeeded", finishedAt: new Date() }).where(eq(imports.id, imp.id));
      finished++;
    }
  }
  return { takenBack, finished };
}
