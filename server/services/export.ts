// Dataset exports in the formats TRL, OpenRLHF and HF datasets read unchanged, one JSON record a line, produced
// lazily so that an export of any size streams in flat memory. The CLI and the HTTP export route both use this.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { completions, projects, SPLITS } from "../../db/schema";
import { consensusRanking, pairwiseAgreement } from "./agreement";
import { datasetRowCount, iterateRankedPages, iterateSftExamples, type DatasetFilter, type RankedExample } from "./datasets";
import { forEachPair } from "./pairs";
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
export async function resolveExportFilter(db: Db, raw: RawExportFilter): Promise<ExportFilter> {
  const filter: ExportFilter = {};
  if (raw.project) {
    const p = (await db.select({ id: projects.id }).from(projects).where(eq(projects.name, raw.project)))[0]
      ?? (await db.select({ id: projects.id }).from(projects).where(eq(projects.id, raw.project)))[0];
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
    const m = await findModel(db, raw.model);
    if (m) filter.modelId = m.id;
    // An external model (named only in imported completions) filters by its name.
    else if ((await db.select({ id: completions.id }).from(completions).where(eq(completions.modelName, raw.model)).limit(1))[0]) filter.modelName = raw.model;
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

/** A ranked example as exported: with its weight when `--weights` asked for one. */
type ExportedExample = RankedExample & { weight?: number };

/**
 * The examples an export writes, and null for each one read but left out (so a caller can hand a chunk back while
 * a filter skips many); `read(n)` hears of every n source rankings read (progress).
 */
async function* keptRankedPages(db: Db, filter: ExportFilter, read: (rankings: number) => void = () => {}): AsyncGenerator<(ExportedExample | null)[]> {
  const weigh = filter.weights ? weigher(db) : null;
  // A page holds every ranking of its prompts, so the consensus of an item never spans two pages.
  for await (const page of iterateRankedPages(db, filter)) {
    const examples = filter.consensus ? [...consensusExamples(page)] : page;
    if (weigh) await weigh.load(examples);
    yield examples.map((ex) => {
      read("userIds" in ex ? (ex.userIds as unknown[]).length : 1);
      return !keepItem(ex, filter) ? null : weigh ? { ...ex, weight: weigh.of(ex) } : ex;
    });
  }
}

/**
 * The weight of an example: its annotator's reliability weight, computed once per project; a reviewer's adjudicated
 * ranking weighs 1; a ranking with no known annotator gets the weight of an annotator nobody has checked.
 */
function weigher(db: Db) {
  const byProject = new Map<string, Map<string, number>>();
  const unchecked = reliabilityWeight({ agree: 0, pairs: 0 });
  const weightOf = (projectId: string, userId: string | null): number => (userId ? (byProject.get(projectId)!.get(userId) ?? unchecked) : unchecked);
  return {
    /** Reads the reliability weights of the projects these examples come from (once per project). */
    async load(examples: readonly RankedExample[]): Promise<void> {
      for (const ex of examples)
        if (!byProject.has(ex.projectId)) byProject.set(ex.projectId, new Map((await qualityReport(db, ex.projectId)).annotators.map((a) => [a.userId, a.weight])));
    },
    of(ex: RankedExample & { userIds?: (string | null)[] }): number {
      if (ex.adjudicated) return 1;
      const ids = ex.userIds ?? [ex.userId];
      return Math.round((ids.reduce((sum, id) => sum + weightOf(ex.projectId, id), 0) / ids.length) * 1e6) / 1e6;
    },
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

/**
 * A pair format's line, cut where the completions go: `prefix + side(chosen) + middle + side(rejected) + suffix`.
 * Each piece is JSON written and encoded once (the prompt's once per ranking, each completion's once per prompt), so
 * a ranking of K gives C(K,2) lines by copying bytes, without serialising the same text C(K,2) times. The bytes
 * are those of JSON.stringify on the record object with its keys in this order (tests/unit/export-golden.test.ts).
 */
interface PairFormat {
  /** A completion as it appears in the record: the same for every pair of one prompt. */
  side(ex: ExportedExample, text: string): string;
  prefix(ex: ExportedExample): string;
  middle: string;
}

const PAIR_FORMATS = {
  // {"prompt","chosen","rejected"[,"weight"]}
  "trl-preference": {
    side: (_ex, text) => JSON.stringify(text),
    prefix: (ex) => `{"prompt":${JSON.stringify(ex.prompt)},"chosen":`,
    middle: ',"rejected":',
  },
  // The same with messages: the prompt's turns, and each completion as one assistant turn.
  "trl-preference-chat": {
    side: (_ex, text) => JSON.stringify([{ role: "assistant", content: text }]),
    prefix: (ex) => `{"prompt":${JSON.stringify(promptMessages(ex.prompt, ex.messages))},"chosen":`,
    middle: ',"rejected":',
  },
  // {"chosen","rejected"[,"weight"]}, each a whole Human/Assistant transcript.
  "hh-rlhf": {
    side: (ex, text) => JSON.stringify(hhTranscript(ex.prompt, ex.messages, text)),
    prefix: () => '{"chosen":',
    middle: ',"rejected":',
  },
} satisfies Partial<Record<ExportFormat, PairFormat>>;

/** A batch of whole JSONL lines (UTF-8), how many records it holds, and how many source rows were read for it. */
export interface ExportChunk {
  bytes: Uint8Array;
  records: number;
  /** Rankings or demonstrations read (see exportSourceRows): what an export job's progress counts. */
  items: number;
}

/** Bytes per chunk: large writes keep the file system and the HTTP stream busy with few calls. */
const CHUNK_BYTES = 256 << 10;
/**
 * Source rows per chunk at most: a filter that keeps few records still hands a chunk back every few milliseconds of
 * reading, so a background export yields the event loop and reports progress.
 */
const CHUNK_ITEMS = 2000;

/** Gathers lines into chunks of about CHUNK_BYTES, written straight into one buffer (no string per line to collect). */
class ChunkBuilder {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private length = 0;
  records = 0;
  items = 0;

  /** Room for `bytes` more; a record larger than a whole chunk gets a buffer of its own size. */
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
  addBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  addString(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    this.reserve(text.length * 3);
    this.length += this.buf.write(text, this.length);
  }
  endRecord(): void {
    this.records++;
  }
  get full(): boolean {
    return this.length >= CHUNK_BYTES || this.items >= CHUNK_ITEMS;
  }
  take(): ExportChunk {
    const chunk = { bytes: this.buf.subarray(0, this.length), records: this.records, items: this.items };
    // The taken bytes may still wait in a stream: the next chunk gets a new buffer.
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.length = 0;
    this.records = 0;
    this.items = 0;
    return chunk;
  }
}

/**
 * The export as batches of whole JSONL lines (about 256 KB each), produced lazily so an export of any size streams in
 * flat memory: what the CLI, the HTTP route and export jobs write.
 */
export async function* exportChunks(db: Db, format: ExportFormat, filter: ExportFilter = {}): AsyncGenerator<ExportChunk> {
  const out = new ChunkBuilder();
  const read = (n: number) => void (out.items += n);
  function* lines(records: Iterable<Record<string, unknown> | null>): Generator<ExportChunk> {
    for (const record of records) {
      if (record) {
        out.addString(JSON.stringify(record) + "\n");
        out.endRecord();
      }
      if (out.full) yield out.take();
    }
  }
  switch (format) {
    case "trl-sft":
      for await (const ex of iterateSftExamples(db, filter)) yield* lines([(read(1), { prompt: ex.prompt, completion: ex.completion })]);
      break;
    case "trl-sft-chat":
      for await (const ex of iterateSftExamples(db, filter))
        yield* lines([(read(1), { messages: [...promptMessages(ex.prompt, ex.messages), { role: "assistant", content: ex.completion }] })]);
      break;
    case "rankings":
      for await (const page of keptRankedPages(db, filter, read)) yield* lines(page.map((ex) => ex && rankingsRecord(ex)));
      break;
    case "trl-preference":
    case "trl-preference-chat":
    case "hh-rlhf": {
      const f: PairFormat = PAIR_FORMATS[format];
      const middle = Buffer.from(f.middle);
      const plainEnd = Buffer.from("}\n");
      // A completion's side of the line, kept while its prompt's rankings go by (they arrive grouped by prompt).
      let sides = new Map<string, Buffer>();
      let promptId = "";
      for await (const page of keptRankedPages(db, filter, read))
      for (const ex of page) {
        if (!ex) {
          if (out.full) yield out.take();
          continue;
        }
        if (ex.promptId !== promptId) {
          sides = new Map();
          promptId = ex.promptId;
        }
        const side = (id: string) => {
          let bytes = sides.get(id);
          if (bytes === undefined) sides.set(id, (bytes = Buffer.from(f.side(ex, ex.completions.find((c) => c.id === id)?.text ?? ""))));
          return bytes;
        };
        const prefix = Buffer.from(f.prefix(ex));
        const end = ex.weight === undefined ? plainEnd : Buffer.from(`,"weight":${JSON.stringify(ex.weight)}}\n`);
        forEachPair(ex.ranking, (chosen, rejected) => {
          out.addBytes(prefix);
          out.addBytes(side(chosen));
          out.addBytes(middle);
          out.addBytes(side(rejected));
          out.addBytes(end);
          out.endRecord();
        });
        if (out.full) yield out.take();
      }
      break;
    }
    default: {
      // A new export format makes this line a compile error until it has its writer.
      const unhandled: never = format;
      throw badRequest(`unknown export format '${String(unhandled)}': use one of ${EXPORT_FORMATS.join(", ")}`);
    }
  }
  if (out.records || out.items) yield out.take();
}

/** How many source rows an export reads (rankings, or demonstrations for the SFT formats): its progress bar's end. */
export async function exportSourceRows(db: Db, format: ExportFormat, filter: ExportFilter): Promise<number> {
  return await datasetRowCount(db, filter, format === "trl-sft" || format === "trl-sft-chat" ? "demonstrations" : "rankings");
}

/** The export's records as objects (parsed back from its lines, so there is one definition of each format). */
export async function* exportRecords(db: Db, format: ExportFormat, filter: ExportFilter = {}): AsyncGenerator<Record<string, unknown>> {
  for await (const chunk of exportChunks(db, format, filter))
    for (const line of Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString("utf8").split("\n"))
      if (line) yield JSON.parse(line) as Record<string, unknown>;
}
