// Shared zod pieces for router inputs: ids, bounded text, paging. Limits live here so every router agrees.
import { z } from "zod";
import { longText } from "../services/text-limits";

export const id = z.string().trim().min(1, "is required").max(64, "is not an id");

export { longText };

/** A reason (skip, cannot rank): at most 1 KB. */
export const reason = z.string().trim().min(1, "say why").max(1024, "keep the reason under 1 KB");

/** Time the annotator spent, in ms; capped at a day so a tab left open overnight cannot skew the medians. */
export const timeMs = z.number().int().min(0).max(24 * 3600 * 1000);

export const paging = {
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
};
