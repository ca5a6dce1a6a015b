// Who may download exports over HTTP: a researcher or admin, signed in or holding an API token (`rlhf tokens create`).
// The streaming export route and the finished-job download share this one check.
import { getDb } from "../db/index";
import { getRequestSession } from "./auth";
import { userForApiToken } from "./services/api-tokens";
import { findSessionUser } from "./services/sessions";

export type ExportCaller = { id: string; role: string };

/** The caller, or the JSON error response to send instead (401 without a user, 403 for other roles). */
export async function exportCaller(req: Request): Promise<ExportCaller | Response> {
  const db = getDb();
  const auth = req.headers.get("authorization");
  const user = auth?.toLowerCase().startsWith("bearer ")
    ? await userForApiToken(db, auth.slice(7).trim())
    : await findSessionUser(db, (await getRequestSession(req.headers))?.user);
  if (!user) return exportError(401, "Sign in, or send an API token as 'Authorization: Bearer …' (rlhf tokens create).");
  if (user.role !== "researcher" && user.role !== "admin") return exportError(403, "Only researchers and admins can export datasets.");
  return { id: user.id, role: user.role };
}

export const exportError = (status: number, message: string) =>
  Response.json({ error: message }, { status, headers: { "cache-control": "no-store" } });
