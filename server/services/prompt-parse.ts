// Parsing prompt files (JSONL and CSV) into rows, with every bad line reported by its line number.
import { z } from "zod";
import { SPLITS } from "../../db/schema";
import { describeIssues, jsonlLines } from "./jsonl";
import { MAX_TEXT_BYTES } from "./text-limits";

export { MAX_TEXT_BYTES };

export interface PromptRow {
  line: number;
  prompt: string;
  externalId: string | null;
  tags: string[];
  split: "train" | "test" | null;
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
    .refine((s) => Buffer.byteLength(s, "utf8") <= MAX_TEXT_BYTES, { message: "is longer than 64 KB" });

const promptRecord = z.object({
  prompt: textWithinLimit(),
  id: z.union([z.string().max(200), z.number()]).nullish(),
  tags: z.array(z.string().min(1).max(64)).max(32).nullish(),
  split: z.enum(SPLITS).nullish(),
});

/** Validates one decoded record (from either format) into a row, or says what is wrong with it. */
function toRow(line: number, record: unknown): PromptRow | LineError {
  const parsed = promptRecord.safeParse(record);
  if (!parsed.success) return { line, message: describeIssues(parsed.error) };
  const { prompt, id, tags, split } = parsed.data;
  return {
    line,
    prompt,
    externalId: id === undefined || id === null || id === "" ? null : String(id),
    tags: tags ?? [],
    split: split ?? null,
  };
}

export interface ParsedPrompts {
  rows: PromptRow[];
  errors: LineError[];
}

function collect(results: (PromptRow | LineError)[]): ParsedPrompts {
  const rows: PromptRow[] = [];
  const errors: LineError[] = [];
  for (const r of results) ("message" in r ? errors : rows).push(r as never);
  return { rows, errors };
}

/** JSONL: one JSON object a line; blank lines are skipped. */
export function parsePromptsJsonl(content: string): ParsedPrompts {
  return collect(jsonlLines(content).map((entry) => ("error" in entry ? { line: entry.line, message: entry.error } : toRow(entry.line, entry.value))));
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

/** CSV with a header row naming the columns: prompt (required), id, tags (separated by ; or |), split. */
export function parsePromptsCsv(content: string): ParsedPrompts {
  const records = splitCsv(content.replace(/^\uFEFF/, ""));
  const header = records.shift();
  if (!header) return { rows: [], errors: [{ line: 1, message: "the file is empty" }] };
  const columns = header.fields.map((h) => h.trim().toLowerCase());
  const col = (name: string) => columns.indexOf(name);
  if (col("prompt") === -1)
    return { rows: [], errors: [{ line: header.line, message: "the header row must name a 'prompt' column (optional: id, tags, split)" }] };
  const results = records.map((r): PromptRow | LineError => {
    if (r.error) return { line: r.line, message: r.error };
    if (r.fields.length !== columns.length)
      return { line: r.line, message: `expected ${columns.length} fields like the header, found ${r.fields.length}` };
    const get = (name: string) => (col(name) === -1 ? undefined : r.fields[col(name)]!);
    const tags = get("tags");
    const split = get("split")?.trim();
    return toRow(r.line, {
      prompt: get("prompt"),
      id: get("id")?.trim() || undefined,
      tags: tags ? tags.split(/[;|]/).map((t) => t.trim()).filter(Boolean) : undefined,
      split: split ? split.toLowerCase() : undefined,
    });
  });
  return collect(results);
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
