// Dataset exports in the formats TRL, OpenRLHF and HF datasets read unchanged, one JSON record a line, produced
// lazily so that an export of any size streams in flat memory. The CLI and the HTTP export route both use this.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, projects, SPLITS } from "../../db/schema";
import { consensusRanking, pairwiseAgreement } from "./agreement";
import { examplePairs, iterateRankedExamples, iterateSftExamples, type DatasetFilter, type RankedExample } from "./datasets";
import { badRequest } from "./errors";
import { findModel } from "./models";
import { qualityReport } from "./quality";
import { reliabilityWeight } from "./reliability";

import { EXPORT_FORMATS, type ExportFormat } from "./export-formats";

export { EXPORT_FORMATS, type ExportFormat };

export interface ExportFilter extends DatasetFilter {
  /** Keep only items ranked by at least two annotators whose pairwise agreement is at least this (0..1). */
  minAgreement?: number;
  /** One record per item: its annotators' rankings combined (Borda, ties kept), instead of one per annotator. */
  consensus?: boolean;
  /** Each record carries `weight`: its annotator's reliability weight (quality.ts), or the mean of an item's. */
  weights?: boolean;
}

/** Filters as a user types them (CLI flags or URL query): names and dates, not ids. */
export interface RawExportFilter {
  project?: string;
  split?: string;
  since?: string;
  until?: string;
  model?: string;
  minAgreement?: string | number;
  annotator?: string;
  consensus?: boolean;
  weights?: boolean;
  includeGold?: boolean;
}

type Message = { role: string; content: string };

function parseDate(label: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw badRequest(`${label} must be a date like 2026-11-21 or an ISO timestamp (got '${value}')`);
  return d;
}

export function parseExportFormat(value: string | undefined): ExportFormat {
  if (!value) throw badRequest(`a format is required: one of ${EXPORT_FORMATS.join(", ")}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(value))
    throw badRequest(`unknown export format '${value}': use one of ${EXPORT_FORMATS.join(", ")}`);
  return value as ExportFormat;
}

/** Resolves names to ids and validates every filter, with a message that says which one is wrong. */
export function resolveExportFilter(db: Db, raw: RawExportFilter): ExportFilter {
  const filter: ExportFilter = {};
  if (raw.project) {
    const p = db.select({ id: projects.id }).from(projects).where(eq(projects.name, raw.project)).get()
      ?? db.select({ id: projects.id }).from(projects).where(eq(projects.id, raw.project)).get();
    if (!p) throw badRequest(`no project named '${raw.project}'`);
    filter.projectId = p.id;
  }
  if (raw.split) {
    if (!(SPLITS as readonly string[]).includes(raw.split)) throw badRequest(`split must be train or test (got '${raw.split}')`);
    filter.split = raw.split as ExportFilter["split"];
  }
  if (raw.since) filter.since = parseDate("since", raw.since);
  if (raw.until) filter.until = parseDate("until", raw.until);
  if (raw.model) {
    const m = findModel(db, raw.model);
    if (m) filter.modelId = m.id;
    // An external model (named only in imported completions) filters by its name.
    else if (db.select({ id: completions.id }).from(completions).where(eq(completions.modelName, raw.model)).limit(1).get()) filter.modelName = raw.model;
    else throw badRequest(`no model named '${raw.model}'`);
  }
  if (raw.minAgreement !== undefined && raw.minAgreement !== "") {
    const x = Number(raw.minAgreement);
    if (!Number.isFinite(x) || x < 0 || x > 1) throw badRequest(`min agreement must be a number from 0 to 1 (got '${raw.minAgreement}')`);
    filter.minAgreement = x;
  }
  if (raw.annotator) filter.annotator = raw.annotator;
  if (raw.consensus) filter.consensus = true;
  if (raw.weights) filter.weights = true;
  if (raw.includeGold) filter.includeGold = true;
  return filter;
}

function promptMessages(prompt: string, messages: Message[] | null): Message[] {
  return messages?.length ? messages : [{ role: "user", content: prompt }];
}

/** Anthropic HH-RLHF transcript form: "\n\nHuman: …\n\nAssistant: …". */
function hhTranscript(prompt: string, messages: Message[] | null, response: string): string {
  const turns = promptMessages(prompt, messages)
    .filter((m) => m.role !== "system")
    .map((m) => `\n\n${m.role === "assistant" ? "Assistant" : "Human"}: ${m.content}`)
    .join("");
  return `${turns}\n\nAssistant: ${response}`;
}

function keepItem(ex: RankedExample, filter: ExportFilter): boolean {
  if (filter.minAgreement === undefined) return true;
  return ex.agreement !== null && ex.agreement >= filter.minAgreement;
}

/** The export's records, one object per JSONL line. */
export function* exportRecords(db: Db, format: ExportFormat, filter: ExportFilter = {}): Generator<Record<string, unknown>> {
  switch (format) {
    case "trl-sft":
      for (const ex of iterateSftExamples(db, filter)) yield { prompt: ex.prompt, completion: ex.completion };
      return;
    case "trl-sft-chat":
      for (const ex of iterateSftExamples(db, filter))
        yield { messages: [...promptMessages(ex.prompt, ex.messages), { role: "assistant", content: ex.completion }] };
      return;
    case "rankings":
      for (const ex of keptRankedExamples(db, filter)) yield rankingsRecord(ex);
      return;
    case "trl-preference":
      for (const { ex, pair } of preferencePairs(db, filter)) yield { prompt: ex.prompt, chosen: pair.chosen, rejected: pair.rejected, ...weightField(ex) };
      return;
    case "trl-preference-chat":
      for (const { ex, pair } of preferencePairs(db, filter))
        yield {
          prompt: promptMessages(ex.prompt, ex.messages),
          chosen: [{ role: "assistant", content: pair.chosen }],
          rejected: [{ role: "assistant", content: pair.rejected }],
          ...weightField(ex),
        };
      return;
    case "hh-rlhf":
      for (const { ex, pair } of preferencePairs(db, filter))
        yield {
          chosen: hhTranscript(ex.prompt, ex.messages, pair.chosen),
          rejected: hhTranscript(ex.prompt, ex.messages, pair.rejected),
          ...weightField(ex),
        };
      return;
    default: {
      // A new export format makes this line a compile error until it has its writer.
      const unhandled: never = format;
      throw badRequest(`unknown export format '${String(unhandled)}': use one of ${EXPORT_FORMATS.join(", ")}`);
    }
  }
}

/** A ranked example as exported: with its weight when `--weights` asked for one. */
type ExportedExample = RankedExample & { weight?: number };

function* keptRankedExamples(db: Db, filter: ExportFilter): Generator<ExportedExample> {
  const weigh = filter.weights ? weigher(db) : null;
  const examples = filter.consensus ? consensusExamples(iterateRankedExamples(db, filter)) : iterateRankedExamples(db, filter);
  for (const ex of examples) if (keepItem(ex, filter)) yield weigh ? { ...ex, weight: weigh(ex) } : ex;
}

/**
 * The weight of an example: its annotator's reliability weight, computed once per project; a reviewer's adjudicated
 * ranking weighs 1; a ranking with no known annotator gets the weight of an annotator nobody has checked.
 */
function weigher(db: Db): (ex: RankedExample & { userIds?: (string | null)[] }) => number {
  const byProject = new Map<string, Map<string, number>>();
  const unchecked = reliabilityWeight({ agree: 0, pairs: 0 });
  const weightOf = (projectId: string, userId: string | null): number => {
    if (!userId) return unchecked;
    let weights = byProject.get(projectId);
    if (!weights) byProject.set(projectId, (weights = new Map(qualityReport(db, projectId).annotators.map((a) => [a.userId, a.weight]))));
    return weights.get(userId) ?? unchecked;
  };
  return (ex) => {
    if (ex.adjudicated) return 1;
    const ids = ex.userIds ?? [ex.userId];
    return Math.round((ids.reduce((sum, id) => sum + weightOf(ex.projectId, id), 0) / ids.length) * 1e6) / 1e6;
  };
}

/**
 * One example per item (a prompt with one set of completions): the Borda consensus of its annotators' rankings,
 * ties kept where the combination is tied. Examples arrive grouped by prompt, so one prompt is held at a time.
 */
function* consensusExamples(examples: Iterable<RankedExample>): Generator<RankedExample & { userIds: (string | null)[] }> {
  let promptId: string | null = null;
  let byItem = new Map<string, RankedExample[]>();
  function* flush() {
    for (const group of byItem.values()) {
      const first = group[0]!;
      const ranking = first.adjudicated ? first.ranking : consensusRanking(group.map((e) => e.ranking));
      yield {
        ...first,
        ranking,
        annotator: first.adjudicated ? first.annotator : null,
        timeMs: group.reduce((t, e) => t + e.timeMs, 0),
        flags: {},
        annotators: group.length,
        agreement: pairwiseAgreement(group.map((e) => e.ranking)),
        userIds: group.map((e) => e.userId),
      };
    }
    byItem = new Map();
  }
  for (const ex of examples) {
    if (ex.promptId !== promptId) {
      yield* flush();
      promptId = ex.promptId;
    }
    const key = ex.completions.map((c) => c.id).sort().join(",");
    byItem.set(key, [...(byItem.get(key) ?? []), ex]);
  }
  yield* flush();
}

/** Every chosen/rejected pair of every kept ranking, item by item. */
function* preferencePairs(db: Db, filter: ExportFilter) {
  for (const ex of keptRankedExamples(db, filter)) for (const pair of examplePairs(ex)) yield { ex, pair };
}

/** `weight` on a record only when the export asked for weights. */
const weightField = (ex: ExportedExample) => (ex.weight === undefined ? {} : { weight: ex.weight });

/**
 * Full fidelity: completions by text (and the model that wrote each, null where unknown), the ranking, flags and
 * Likert ratings by completion index, and the chat transcript when the prompt has one.
 */
function rankingsRecord(ex: ExportedExample): Record<string, unknown> {
  const index = new Map(ex.completions.map((c, i) => [c.id, i]));
  const flags: Record<string, string[]> = {};
  for (const [id, f] of Object.entries(ex.flags)) if (index.has(id) && f.length) flags[String(index.get(id))] = f;
  const ratings: Record<string, number> = {};
  for (const [id, r] of Object.entries(ex.ratings ?? {})) if (index.has(id)) ratings[String(index.get(id))] = r;
  return {
    prompt: ex.prompt,
    ...(ex.messages?.length ? { messages: ex.messages } : {}),
    completions: ex.completions.map((c) => c.text),
    models: ex.completions.map((c) => c.model),
    ranking: ex.ranking.map((group) => group.map((id) => index.get(id)!)),
    annotator: ex.annotator,
    time_ms: ex.timeMs,
    flags,
    ratings,
    agreement: ex.agreement,
    split: ex.split,
    ...(ex.rationale ? { rationale: ex.rationale } : {}),
    ...("userIds" in ex ? { annotators: ex.annotators } : {}),
    ...weightField(ex),
  };
}

/** The same records as JSONL lines (each ending in a newline). */
export function* exportLines(db: Db, format: ExportFormat, filter: ExportFilter = {}): Generator<string> {
  for (const record of exportRecords(db, format, filter)) yield JSON.stringify(record) + "\n";
}

/** A batch of whole JSONL lines and how many records it holds. */
export interface ExportChunk {
  text: string;
  records: number;
}

/** The export as batches of whole lines (about 1 MB each): what the CLI, the HTTP route and export jobs write. */
export function* exportChunks(db: Db, format: ExportFormat, filter: ExportFilter = {}): Generator<ExportChunk> {
  let text = "";
  let records = 0;
  for (const line of exportLines(db, format, filter)) {
    text += line;
    records++;
    if (text.length >= 1 << 20) {
      yield { text, records };
      text = "";
      records = 0;
    }
  }
  if (records) yield { text, records };
}
