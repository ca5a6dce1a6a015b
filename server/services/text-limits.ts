// The size limit on one stored text (a prompt, a completion, guidelines), counted in UTF-8 bytes the way it is
// stored. No database import, so browser forms share it.
import { z } from "zod";

/** 64 KB: a prompt or a response longer than this is almost certainly a mistake (a whole file pasted). */
export const MAX_TEXT_BYTES = 64 * 1024;

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** Text up to 64 KB; `what` names it in the message ("The guidelines is longer than 64 KB"). */
export const longText = (what: string) => z.string().refine((s) => utf8Bytes(s) <= MAX_TEXT_BYTES, { message: `${what} is longer than 64 KB` });
