// Importing existing datasets: demonstrations ({"prompt","completion"}) and rankings (full rankings by index, or
// TRL {"prompt","chosen","rejected"} pairs). Rows are stored with origin/source 'import'; a ranking line's `annotator`
// (an email) makes it that user's ranking, so a team's multi-annotator data can be measured here. Valid lines are
// kept, bad ones reported by line, all in one transaction, and re-imports add nothing.
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/index";
import { completions, demonstrations, models, rankings } from "../../db/schema";
import { writeAudit, type DbOrTx } from "./audit";
import { ServiceError } from "./errors";
import { describeIssues, jsonlLines } from "./jsonl";
import { modelName, textWithinLimit, type LineError } from "./prompt-parse";
import { insertPromptIfNew } from "./prompts";
import { writeInBatches, type ImportProgress } from "./prompt-import-job";
import { getProject } from "./projects";
import { MAX_RANK_COMPLETIONS, MIN_RANK_COMPLETIONS } from "./task-queue";
import { annotatorIdFor, checkAnnotators, type AnnotatorOptions } from "./import-annotators";
import { mapInOrder } from "./async-iter";

export interface DataImportResult {
  imported: number;
  duplicates: number;
  promptsCreated: number;
  errors: LineError[];
}

type LineOutcome = { imported: boolean; promptCreated: boolean };

/**
 * The shared shape of a JSONL import: one transaction, bad lines reported by number (a line's parser throws a
 * ServiceError before it writes anything), the rest imported or counted as duplicates, and one audit entry.
 */
async function importJsonl(
  db: Db,
  input: { projectId: string; content: string },
  actorId: string | null,
  action: string,
  importLine: (tx: DbOrTx, projectId: string, value: Record<string, unknown>) => Promise<LineOutcome>,
): Promise<DataImportResult> {
  const errors: LineError[] = [];
  const result = await db.transaction(async (tx) => {
    await getProject(tx, input.projectId);
    const counts = { imported: 0, duplicates: 0, promptsCreated: 0 };
    for (const entry of jsonlLines(input.content)) {
      if ("error" in entry) {
        errors.push({ line: entry.line, message: entry.error });
        continue;
      }
      let outcome: LineOutcome;
      try {
        outcome = await importLine(tx, input.projectId, entry.value);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        errors.push({ line: entry.line, message: err.message });
        continue;
      }
      if (outcome.promptCreated) counts.promptsCreated++;
      if (outcome.imported) counts.imported++;
      else counts.duplicates++;
    }
    await writeAudit(tx, { userId: actorId, action, entity: "project", entityId: input.projectId, detail: { imported: counts.imported, duplicates: counts.duplicates } });
    return counts;
  });
  return { ...result, errors };
}

const demonstrationRecord = z.object({ prompt: textWithinLimit(), completion: textWithinLimit() });

/** How one kind of data file is read (a line at a time, no database) and written (one line, in a transaction). */
interface DataLineKind<T> {
  action: string;
  parse(value: Record<string, unknown>): T;
  write(tx: DbOrTx, projectId: string, record: T, importId: string | null, opts: AnnotatorOptions): Promise<LineOutcome>;
}

const demonstrationLines: DataLineKind<{ prompt: string; completion: string }> = {
  action: "demonstrations.import",
  parse(value) {
    const parsed = demonstrationRecord.safeParse(value);
    if (!parsed.success) throw new ServiceError("BAD_REQUEST", describeIssues(parsed.error));
    return parsed.data;
  },
  async write(tx, projectId, record, importId) {
    const prompt = await insertPromptIfNew(tx, projectId, { prompt: record.prompt, importId: importId ?? undefined });
    const text = record.completion;
    const known = (await tx
      .select({ id: demonstrations.id })
      .from(demonstrations)
      .where(and(eq(demonstrations.promptId, prompt.id), eq(demonstrations.text, text), eq(demonstrations.status, "submitted"))))[0];
    if (!known) await tx.insert(demonstrations).values({ promptId: prompt.id, userId: null, assignmentId: null, text, status: "submitted", importId });
    return { imported: !known, promptCreated: prompt.created };
  },
};

export async function importDemonstrations(db: Db, input: { projectId: string; content: string }, actorId: string | null = null): Promise<DataImportResult> {
  return await importJsonl(db, input, actorId, demonstrationLines.action, (tx, projectId, value) => demonstrationLines.write(tx, projectId, demonstrationLines.parse(value), null, {}));
}

const completionText = textWithinLimit();
const fullRankingRecord = z.object({
  prompt: textWithinLimit(),
  completions: z.array(completionText).min(MIN_RANK_COMPLETIONS).max(MAX_RANK_COMPLETIONS),
  ranking: z.array(z.array(z.number().int().min(0)).min(1)).min(1),
  /** As the rankings export writes it: the model that wrote each completion, null where unknown. */
  models: z.array(modelName.nullable()).nullish(),
  annotator: z.string().trim().min(1).max(320).optional(),
  time_ms: z.number().int().min(0).max(86_400_000).optional(),
  rationale: z.string().max(2000).optional(),
});
const pairRecord = z.object({ prompt: textWithinLimit(), chosen: completionText, rejected: completionText, annotator: z.string().trim().min(1).max(320).optional() });

export interface ParsedRanking {
  prompt: string;
  texts: string[];
  /** The model that wrote each text, where the file says. */
  models?: (string | null)[];
  /** Groups of indices into `texts`, best first; a group of several is a tie. */
  groups: number[][];
  /** The annotator's email, when the line names one. */
  annotator?: string;
  timeMs?: number;
  rationale?: string;
}

/** A line of either accepted shape, turned into completion texts and groups of indices (best first). */
function rankingFromLine(value: Record<string, unknown>): ParsedRanking {
  if ("chosen" in value || "rejected" in value) {
    const p = pairRecord.safeParse(value);
    if (!p.success) throw new ServiceError("BAD_REQUEST", describeIssues(p.error));
    if (p.data.chosen === p.data.rejected) throw new ServiceError("BAD_REQUEST", "chosen and rejected are the same text");
    return { prompt: p.data.prompt, texts: [p.data.chosen, p.data.rejected], groups: [[0], [1]], annotator: p.data.annotator };
  }
  const r = fullRankingRecord.safeParse(value);
  if (!r.success) throw new ServiceError("BAD_REQUEST", `${describeIssues(r.error)} (expected {"prompt","completions","ranking"} or {"prompt","chosen","rejected"})`);
  if (new Set(r.data.completions).size !== r.data.completions.length) throw new ServiceError("BAD_REQUEST", "completions repeat the same text");
  if (r.data.models && r.data.models.length !== r.data.completions.length)
    throw new ServiceError("BAD_REQUEST", `models names ${r.data.models.length} models for ${r.data.completions.length} completions`);
  const seen = new Set<number>();
  for (const g of r.data.ranking)
    for (const i of g) {
      if (i >= r.data.completions.length) throw new ServiceError("BAD_REQUEST", `ranking index ${i} is past the last completion`);
      if (seen.has(i)) throw new ServiceError("BAD_REQUEST", `ranking lists completion ${i} more than once`);
      seen.add(i);
    }
  if (seen.size !== r.data.completions.length)
    throw new ServiceError("BAD_REQUEST", `ranking must place every completion (indices 0 to ${r.data.completions.length - 1}) exactly once`);
  if (r.data.ranking.length < 2) throw new ServiceError("BAD_REQUEST", "a ranking with every completion tied has no preference in it");
  return { prompt: r.data.prompt, texts: r.data.completions, groups: r.data.ranking, ...(r.data.models ? { models: r.data.models } : {}), annotator: r.data.annotator, timeMs: r.data.time_ms, rationale: r.data.rationale };
}

/**
 * A rankings file read without touching the database (`rlhf eval rm --data`): exactly the lines the import accepts,
 * and the bad ones with the same messages.
 */
export function parseRankingsFile(content: string): { records: (ParsedRanking & { line: number })[]; errors: LineError[] } {
  const records: (ParsedRanking & { line: number })[] = [];
  const errors: LineError[] = [];
  for (const entry of jsonlLines(content)) {
    if ("error" in entry) {
      errors.push({ line: entry.line, message: entry.error });
      continue;
    }
    try {
      records.push({ line: entry.line, ...rankingFromLine(entry.value) });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      errors.push({ line: entry.line, message: err.message });
    }
  }
  return { records, errors };
}

/** The prompt's completion with this text, written (origin `import`, with the model that wrote it when known) when it has none. */
export async function completionIdFor(tx: DbOrTx, promptId: string, text: string, importId: string | null, modelName: string | null = null): Promise<string> {
  const found = (await tx.select({ id: completions.id }).from(completions).where(and(eq(completions.promptId, promptId), eq(completions.text, text))))[0];
  if (found) return found.id;
  const modelId = modelName ? ((await tx.select({ id: models.id }).from(models).where(eq(models.name, modelName)))[0]?.id ?? null) : null;
  return (await tx.insert(completions).values({ promptId, text, origin: "import", importId, modelName, modelId }).returning({ id: completions.id }))[0].id;
}

/** Same set of groups (order inside a tie ignored): a re-import of the same ranking is a duplicate. */
function orderingKey(ordering: string[][]): string {
  return JSON.stringify(ordering.map((g) => [...g].sort()));
}

const rankingLines: DataLineKind<ParsedRanking> = {
  action: "rankings.import",
  parse: rankingFromLine,
  async write(tx, projectId, parsed, importId, opts) {
    // Resolved first: an unknown annotator is a line error before anything of the line is written.
    const userId = parsed.annotator ? await annotatorIdFor(tx, parsed.annotator, opts) : null;
    const prompt = await insertPromptIfNew(tx, projectId, { prompt: parsed.prompt, importId: importId ?? undefined });
    const ids = await mapInOrder(parsed.texts, async (t, i) => await completionIdFor(tx, prompt.id, t, importId, parsed.models?.[i] ?? null));
    const ordering = parsed.groups.map((g) => g.map((i) => ids[i]!));
    const key = orderingKey(ordering);
    const known = (await tx
      .select({ ordering: rankings.ordering })
      .from(rankings)
      .where(and(eq(rankings.promptId, prompt.id), eq(rankings.source, "import"), userId ? eq(rankings.userId, userId) : isNull(rankings.userId))))
      .some((r) => orderingKey(r.ordering) === key);
    if (!known)
      await tx.insert(rankings)
        .values({ assignmentId: null, userId, promptId: prompt.id, ordering, source: "import", importId, timeMs: parsed.timeMs ?? 0, rationale: parsed.rationale ?? null });
    return { imported: !known, promptCreated: prompt.created };
  },
};

export async function importRankings(db: Db, input: { projectId: string; content: string }, actorId: string | null = null, opts: AnnotatorOptions = {}): Promise<DataImportResult> {
  return await importJsonl(db, input, actorId, rankingLines.action, (tx, projectId, value) => rankingLines.write(tx, projectId, rankingLines.parse(value), null, opts));
}

const DATA_LINE_KINDS = { demonstrations: demonstrationLines, rankings: rankingLines } as const;

/**
 * A demonstrations or rankings file the way a large one must go in (`rlhf import`): every line parsed and checked
 * first, then the valid ones written in short batches (prompt-import-job.ts), each line tagged with the import so a
 * process that dies half-way leaves nothing behind once the next start or import takes it back.
 */
export async function importDataFileInBatches(
  db: Db,
  kind: keyof typeof DATA_LINE_KINDS,
  input: { projectId: string; content: string },
  actorId: string | null,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
  opts: AnnotatorOptions = {},
): Promise<DataImportResult> {
  const lines = DATA_LINE_KINDS[kind] as DataLineKind<unknown>;
  await getProject(db, input.projectId);
  const errors: LineError[] = [];
  let records: unknown[] = [];
  const recordLines: number[] = [];
  for (const entry of jsonlLines(input.content)) {
    if ("error" in entry) {
      errors.push({ line: entry.line, message: entry.error });
      continue;
    }
    try {
      records.push(lines.parse(entry.value));
      recordLines.push(entry.line);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      errors.push({ line: entry.line, message: err.message });
    }
  }
  // Unknown annotators are line errors found before any batch runs (a failing batch would take the whole import back).
  if (kind === "rankings") {
    const unknown = await checkAnnotators(db, records.map((r) => (r as ParsedRanking).annotator), opts);
    if (unknown.size) {
      records.forEach((r, i) => {
        const message = unknown.get((r as ParsedRanking).annotator ?? "");
        if (message) errors.push({ line: recordLines[i]!, message });
      });
      records = records.filter((r) => !unknown.has((r as ParsedRanking).annotator ?? ""));
      errors.sort((a, b) => a.line - b.line);
    }
  }
  const counts = { imported: 0, duplicates: 0, promptsCreated: 0 };
  await writeInBatches(db, { kind, projectId: input.projectId, total: records.length, lineErrors: errors, actorId, action: lines.action }, records, async (tx, record, importId) => {
    const outcome = await lines.write(tx, input.projectId, record, importId, opts);
    if (outcome.promptCreated) counts.promptsCreated++;
    if (outcome.imported) counts.imported++;
    else counts.duplicates++;
  }, () => counts, onProgress);
  return { ...counts, errors };
}
