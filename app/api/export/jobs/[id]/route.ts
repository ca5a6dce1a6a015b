// Downloads a finished background export (server/services/export-job.ts) from the data folder: GET /api/export/jobs/ID,
// for its creator or an admin, signed in or with an API token. The file is streamed from disk, never read whole.
import fs from "node:fs";
import { Readable } from "node:stream";
import { getDb } from "~/db/index";
import { exportCaller, exportError } from "~/server/export-access";
import { crossSiteRefusal, isCrossSite } from "~/server/http-security";
import { ServiceError } from "~/server/services/errors";
import { exportJobFile } from "~/server/services/export-job";

export const dynamic = "force-dynamic";

const STATUS: Record<string, number> = { NOT_FOUND: 404, CONFLICT: 409, BAD_REQUEST: 400, FORBIDDEN: 403 };

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  if (isCrossSite(req)) return crossSiteRefusal();
  const caller = await exportCaller(req);
  if (caller instanceof Response) return caller;
  const { id } = await params;
  let found: Awaited<ReturnType<typeof exportJobFile>>;
  try {
    found = await exportJobFile(getDb(), id, { viewer: caller });
  } catch (err) {
    if (err instanceof ServiceError) return exportError(STATUS[err.code] ?? 400, err.message);
    throw err;
  }
  const body = Readable.toWeb(fs.createReadStream(found.file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${found.format}.jsonl"`,
      "content-length": String(found.bytes),
      "cache-control": "no-store",
    },
  });
}
