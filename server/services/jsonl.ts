// Reading JSONL text line by line: each non-blank line is one JSON object, or an error naming its line.
import type { z } from "zod";

export type JsonlLine = { line: number; value: Record<string, unknown> } | { line: number; error: string };

export function jsonlLines(content: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  content
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((text, i) => {
      if (!text.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        out.push({ line: i + 1, error: "not valid JSON" });
        return;
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) out.push({ line: i + 1, error: "expected a JSON object" });
      else out.push({ line: i + 1, value: value as Record<string, unknown> });
    });
  return out;
}

/** zod issues as one short phrase: "prompt: is empty; ranking: …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
