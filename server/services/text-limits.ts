// The size limit on one stored text (a prompt, a completion, guidelines), counted in UTF-8 bytes the way it is
// stored. No database import, so browser forms share it.
import { z } from "zod";

/** 64 KB: a prompt or a response longer than this is almost certainly a mistake (a whole file pasted). */
export const MAX_TEXT_BYTES = 64 * 1024;

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** U+0000 (NUL): PostgreSQL cannot store it in text, so no database takes it (the same data must fit both). */
export const hasNul = (s: string) => s.includes("\u0000");
export const NUL_MESSAGE = "contains U+0000 (NUL), which cannot be stored";
/**
 * Text a model or a program wrote (a sampled completion, an error), made storable: U+0000 becomes U+FFFD, the
 * replacement character. Typed input is refused instead (above); a model's output is kept, marked where it broke.
 */
export const storable = (s: string) => (hasNul(s) ? s.replaceAll("\u0000", "\uFFFD") : s);

/** Text up to 64 KB; `what` names it in the message ("The guidelines is longer than 64 KB"). */
export const longText = (what: string) =>
  z
    .string()
    .refine((s) => utf8Bytes(s) <= MAX_TEXT_BYTES, { message: `${what} is longer than 64 KB` })
    .refine((s) => !hasNul(s), { message: `${what} ${NUL_MESSAGE}` });

/**
 * Characters a name must not hold: controls (ANSI escapes reach terminals), format characters such as bidi overrides
 * (U+202E makes a name read backwards) and zero-width characters (two names that look the same), and line breaks.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why a name is not printable text, or null when it is. */
export function unprintableReason(value: string, what: string): string | null {
  const bad = UNPRINTABLE.exec(value);
  return bad ? `${what} may not contain control, bidi or zero-width characters (found ${codePoint(bad[0])})` : null;
}

/** A trimmed, non-empty name of at most `max` characters, printable (see UNPRINTABLE). */
export const printableName = (what: string, max = 200) =>
  z
    .string()
    .trim()
    .min(1, `give the ${what.toLowerCase()} a name`)
    .max(max)
    .superRefine((s, ctx) => {
      const reason = unprintableReason(s, what);
      if (reason) ctx.addIssue({ code: "custom", message: reason });
    });

/** Text for a terminal: control and format characters shown as escapes, so stored text cannot drive the terminal. */
export function terminalSafe(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => (c === "\n" || c === "\t" ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`));
}
