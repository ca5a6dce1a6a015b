// Parsing prompt files (JSONL and CSV) into rows, with every bad line reported by its line number.
import { z } from "zod";
import { SPLITS } from "../../db/schema";
import { describeIssues, jsonlLines } from "./jsonl";
import { MODEL_NAME_RE, MODEL_NAME_RULE } from "./model-names";
import { MAX_RANK_COMPLETIONS, MIN_RANK_COMPLETIONS } from "./project-settings";
import { hasNul, MAX_TEXT_BYTES, NUL_MESSAGE } from "./text-limits";

export { MAX_TEXT_BYTES };

export type ChatMessage = { role: string; content: string };

/** A completion a prompt file brings along, with the name of the model that wrote it when the file says. */
export interface ImportedCompletion {
  text: string;
  model: string | null;
}

export interface PromptRow {
  line: number;
  prompt: string;
  externalId: string | null;
  tags: string[];
  split: "train" | "test" | null;
  /** Chat form: the turns, ending with a user turn (`prompt` is then that last user turn). */
  messages?: ChatMessage[] | null;
  /** Two or more: the prompt opens a ranking task over exactly these. */
  completions?: ImportedCompletion[];
}

export interface LineError {
  line: number;
  message: string;
}

/** Non-empty text of at most 64 KB (UTF-8 bytes, as stored); the messages follow the field name. */
export const textWithinLimit = () =>
  z
    .string()
    .refine((s) => s.trim().length > 0, { message: "is empty" })
    .refine((s) => Buffer.byteLength(s, "utf8") <= MAX_TEXT_BYTES, { message: "is longer than 64 KB" })
    .refine((s) => !hasNul(s), { message: NUL_MESSAGE });

/** A model name as files write it: what the registry allows, so an external name can later be registered as is. */
export const modelName = z.string().regex(MODEL_NAME_RE, `must be ${MODEL_NAME_RULE}`);

/** A completion is a string or {"text","model"}; strings are read as the object form without a model. */
const completionEntry = z.preprocess(
  (v) => (typeof v === "string" ? { text: v } : v),
  z.object({ text: textWithinLimit(), model: modelName.nullish() }, { error: 'must be a string or {"text","model"}' }),
);

const chatMessage = z.object({ role: z.enum(["system", "user", "assistant"]), content: textWithinLimit() });

const promptRecord = z
  .object({
    prompt: textWithinLimit().optional(),
    messages: z.array(chatMessage).min(1).max(200).nullish(),
    id: z.union([z.string().max(200), z.number()]).nullish(),
    tags: z.array(z.string().min(1).max(64)).max(32).nullish(),
    split: z.enum(SPLITS).nullish(),
    completions: z.array(completionEntry).nullish(),
  })
  .superRefine((r, ctx) => {
    if (r.prompt === undefined && !r.messages) ctx.addIssue({ code: "custom", path: ["prompt"], message: "is missing (give \"prompt\" or \"messages\")" });
    if (r.messages && r.messages.at(-1)!.role !== "user") ctx.addIssue({ code: "custom", path: ["messages"], message: "must end with a user turn" });
    // Each turn is held to 64 KB; the whole conversation to four times that, so one line cannot carry megabytes.
    if (r.messages && r.messages.reduce((n, m) => n + Buffer.byteLength(m.content, "utf8"), 0) > 4 * MAX_TEXT_BYTES)
      ctx.addIssue({ code: "custom", path: ["messages"], message: "are longer than 256 KB together" });
    if (r.completions && (r.completions.length < MIN_RANK_COMPLETIONS || r.completions.length > MAX_RANK_COMPLETIONS))
      ctx.addIssue({ code: "custom", path: ["completions"], message: `has ${r.completions.length}; a ranking takes ${MIN_RANK_COMPLETIONS} to ${MAX_RANK_COMPLETIONS}` });
    else if (r.completions) {
      const texts = r.completions.map((c) => c.text);
      const repeated = texts.findIndex((t, i) => texts.indexOf(t) !== i);
      if (repeated !== -1) ctx.addIssue({ code: "custom", path: ["completions", repeated], message: "repeats the text of an earlier completion" });
    }
  });

/** Validates one decoded record (from either format) into a row, or says what is wrong with it. */
function toRow(line: number, record: unknown): PromptRow | LineError {
  const parsed = promptRecord.safeParse(record);
  if (!parsed.success) return { line, message: describeIssues(parsed.error) };
  const { id, tags, split, messages, completions } = parsed.data;
  // A transcript's prompt text is its last user turn (what search, dedup and plain-text formats see).
  const prompt = messages ? messages.at(-1)!.content : parsed.data.prompt!;
  return {
    line,
    prompt,
    externalId: id === undefined || id === null || id === "" ? null : String(id),
    tags: tags ?? [],
    split: split ?? null,
    ...(messages ? { messages } : {}),
    ...(completions ? { completions: completions.map((c) => ({ text: c.text, model: c.model ?? null })) } : {}),
  };
}

export interface ParsedPrompts {
  rows: PromptRow[];
  errors: LineError[];
}

/**
 * Valid lines are kept and bad ones reported, except in a file that brings completions: there a bad line refuses
 * the whole file (rows come back empty), because a ranking set imported in part would compare the wrong things.
 */
function collect(results: (PromptRow | LineError)[], bringsCompletions: boolean): ParsedPrompts {
  const rows: PromptRow[] = [];
  const errors: LineError[] = [];
  for (const r of results) ("message" in r ? errors : rows).push(r as never);
  if (bringsCompletions && errors.length) return { rows: [], errors };
  return { rows, errors };
}

/** JSONL: one JSON object a line; blank lines are skipped. */
export function parsePromptsJsonl(content: string): ParsedPrompts {
  const entries = jsonlLines(content);
  const bringsCompletions = entries.some((e) => "value" in e && e.value.completions !== undefined);
  return collect(entries.map((entry) => ("error" in entry ? { line: entry.line, message: entry.error } : toRow(entry.line, entry.value))), bringsCompletions);
}

/**
 * Splits CSV text into records (RFC 4180: quoted fields may hold commas, doubled quotes and newlines),
 * each with the line number it starts on.
 */
export function splitCsv(content: string): { line: number; fields: string[]; error?: string }[] {
  const records: { line: number; fields: string[]; error?: string }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 1;
  let startLine = 1;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) records.push({ line: startLine, fields });
    fields = [];
    field = "";
    atFieldStart = true;
  };
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (content[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      atFieldStart = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && content[i + 1] === "\n") i++;
      endRecord();
      line++;
      startLine = line;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (inQuotes) records.push({ line: startLine, fields: [], error: "a quoted field is never closed" });
  else if (field !== "" || fields.length > 0) endRecord();
  return records;
}

/**
 * CSV with a header row naming the columns: prompt (required), id, tags (separated by ; or |), split, and
 * completion_1..completion_K with optional model_1..model_K (empty cells are no completion; a model without its
 * completion is an error).
 */
export function parsePromptsCsv(content: string): ParsedPrompts {
  const records = splitCsv(content.replace(/^\uFEFF/, ""));
  const header = records.shift();
  if (!header) return { rows: [], errors: [{ line: 1, message: "the file is empty" }] };
  const columns = header.fields.map((h) => h.trim().toLowerCase());
  const col = (name: string) => columns.indexOf(name);
  if (col("prompt") === -1)
    return { rows: [], errors: [{ line: header.line, message: "the header row must name a 'prompt' column (optional: id, tags, split, completion_1.., model_1..)" }] };
  const numbered = (prefix: string) =>
    columns.map((c, i) => ({ n: Number(c.slice(prefix.length)), i, c })).filter((x) => x.c.startsWith(prefix) && /^\d+$/.test(x.c.slice(prefix.length)));
  const completionCols = numbered("completion_").sort((a, b) => a.n - b.n);
  const modelCols = new Map(numbered("model_").map((x) => [x.n, x.i]));
  const results = records.map((r): PromptRow | LineError => {
    if (r.error) return { line: r.line, message: r.error };
    if (r.fields.length !== columns.length)
      return { line: r.line, message: `expected ${columns.length} fields like the header, found ${r.fields.length}` };
    const get = (name: string) => (col(name) === -1 ? undefined : r.fields[col(name)]!);
    const tags = get("tags");
    const split = get("split")?.trim();
    const completions: { text: string; model?: string }[] = [];
    for (const { n, i } of completionCols) {
      const text = r.fields[i]!;
      const model = modelCols.has(n) ? r.fields[modelCols.get(n)!]!.trim() : "";
      if (text === "" && model) return { line: r.line, message: `completion_${n}: is empty but model_${n} names '${model}'` };
      if (text !== "") completions.push(model ? { text, model } : { text });
    }
    return toRow(r.line, {
      prompt: get("prompt"),
      id: get("id")?.trim() || undefined,
      tags: tags ? tags.split(/[;|]/).map((t) => t.trim()).filter(Boolean) : undefined,
      split: split ? split.toLowerCase() : undefined,
      // A row with no completion cells is a plain prompt; one with a single completion is an error (K = 1).
      ...(completions.length ? { completions } : {}),
    });
  });
  return collect(results, completionCols.length > 0);
}

export function parsePromptFile(format: "jsonl" | "csv", content: string): ParsedPrompts {
  return format === "csv" ? parsePromptsCsv(content) : parsePromptsJsonl(content);
}

/** The format from a file name; null when it is neither .jsonl/.json nor .csv. */
export function promptFormatFromName(file: string): "jsonl" | "csv" | null {
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.jsonl?$/i.test(file)) return "jsonl";
  return null;
}
