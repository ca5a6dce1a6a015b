// Streams a dataset export (JSONL) to a researcher or admin, signed in or holding an API token
// (`rlhf tokens create`): GET /api/export?format=trl-preference&project=…&split=…&since=…&until=…&model=…&min_agreement=…&annotator=…
// &consensus=1&weights=1&include_gold=1
// With check=1 it answers {"ok":true,"empty":bool} instead of the file, so the page can say "nothing matched" or show
// a bad filter's error before a download starts (a browser download would save either as a file).
import { getDb } from "~/db/index";
import { exportCaller, exportError as error } from "~/server/export-access";
import { crossSiteRefusal, isCrossSite } from "~/server/http-security";
import { ServiceError } from "~/server/services/errors";
import { exportChunks, parseExportFormat, resolveExportFilter, type ExportChunk } from "~/server/services/export";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  if (isCrossSite(req)) return crossSiteRefusal();
  const caller = await exportCaller(req);
  if (caller instanceof Response) return caller;

  const q = new URL(req.url).searchParams;
  const db = getDb();
  let chunks: AsyncGenerator<ExportChunk>;
  let format: string;
  try {
    format = parseExportFormat(q.get("format") ?? undefined);
    const filter = await resolveExportFilter(db, {
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
      let empty = true;
      for (let next = await chunks.next(); !next.done; next = await chunks.next())
        if (next.value.records) {
          empty = false;
          break;
        }
      await chunks.return(undefined);
      return Response.json({ ok: true, empty }, { headers: { "cache-control": "no-store" } });
    }
  } catch (err) {
    if (err instanceof ServiceError) return error(400, err.message);
    throw err;
  }

  // Pull-based: the next chunk of records (about 256 KB) is read only when the client has taken the previous one.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value.bytes);
    },
    async cancel() {
      await chunks.return(undefined);
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
