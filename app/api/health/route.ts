// Liveness for scripts and checks: {"ok":true} when the database answers `select 1`, 503 otherwise.
import { sql } from "drizzle-orm";
import { getDb } from "~/db/index";
import { allRows } from "~/db/statements";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await allRows(getDb(), sql`select 1`);
    return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ ok: false, error: "The database is not reachable." }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
