// Liveness for scripts and checks: {"ok":true} when the database answers `select 1`, 503 otherwise (and again
// {"ok":true} once a PostgreSQL server that was down is back: the pool reconnects on the next query).
import { databaseReady } from "~/db/index";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await databaseReady();
    return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ ok: false, error: "The database is not reachable." }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
