// Liveness for scripts and checks: {"ok":true} when the database answers `select 1`, 503 otherwise.
import { getDb } from "~/db/index";

export const dynamic = "force-dynamic";

export function GET() {
  try {
    getDb().$client.prepare("select 1").get();
    return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ ok: false, error: "The database is not reachable." }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
