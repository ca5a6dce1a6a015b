// Streams a dataset export (JSONL) to a researcher or admin, signed in or holding an API token
// (`rlhf tokens create`): GET /api/export?format=trl-preference&project=…&split=…&since=…&until=…&model=…&min_agreement=…&annotator=…
// &consensus=1&weights=1&include_gold=1
// With check=1 it answers {"ok":true,"empty":bool} instead of the file, so the page can say "nothing matched" or show
// a bad filter's error before a download starts (a browser download would save either as a file).
import { getDb } from "~/db/index";
import { getRequestSession } from "~/server/auth";
import { crossSiteRefusal, isCrossSite } from "~/server/http-security";
import { userForApiToken } from "~/server/services/api-tokens";
import { ServiceError } from "~/server/services/errors";
import { exportChunks, parseExportFormat, type ExportChunk, resolveExportFilter } from "~/server/services/export";
import { findSessionUser } from "~/server/services/sessions";

export const dynamic = "force-dynamic";

const error = (status: number, message: string) =>
  Response.json({ error: message }, { status, headers: { "cache-control": "no-store" } });

/** The caller's role from a bearer token or the next-auth session; null when neither identifies an enabled user. */
async function callerRole(req: Request): Promise<string | null> {
  const db = getDb();
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return userForApiToken(db, auth.slice(7).trim())?.role ?? null;
  const session = await getRequestSession(req.headers);
  return findSessionUser(db, session?.user)?.role ?? null;
}

export async function GET(req: Request) {
  if (isCrossSite(req)) return crossSiteRefusal();
  const role = await callerRole(req);
  if (!role) return error(401, "Sign in, or send an API token as 'Authorization: Bearer …' (rlhf tokens create).");
  if (role !== "researcher" && role !== "admin") return error(403, "Only researchers and admins can export datasets.");

  const q = new URL(req.url).searchParams;
  const db = getDb();
  let chunks: Generator<ExportChunk>;
  let format: string;
  try {
    format = parseExportFormat(q.get("format") ?? undefined);
    const filter = resolveExportFilter(db, {
      project: q.get("project") ?? undefined,
      split: q.get("split") ?? undefined,
      since: q.get("since") ?? undefined,
      until: q.get("until") ?? undefined,
      model: q.get("model") ?? undefined,
      minAgreement: q.get("min_agreement") ?? undefined,
      annotator: q.get("annotator") ?? undefined,
      consensus: flag(q.get("consensus")),
      weights: flag(q.get("weights")),
      includeGold: flag(q.get("include_gold")),
    });
    chunks = exportChunks(db, format as Parameters<typeof exportChunks>[1], filter);
    if (q.get("check") === "1") {
      const empty = !!chunks.next().done;
      chunks.return(undefined);
      return Response.json({ ok: true, empty }, { headers: { "cache-control": "no-store" } });
    }
  } catch (err) {
    if (err instanceof ServiceError) return error(400, err.message);
    throw err;
  }

  // Pull-based: the next chunk of records (about 1 MB) is read only when the client has taken the previous one.
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value.bytes);
    },
    cancel() {
      chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${format}.jsonl"`,
      "cache-control": "no-store",
    },
  });
}

/** A yes/no query parameter: present as 1/true (or with no value) means yes. */
function flag(value: string | null): boolean {
  return value !== null && value !== "0" && value !== "false";
}
