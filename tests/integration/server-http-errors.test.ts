// The HTTP side of the contract, through tRPC's fetch handler (what the route handler uses): 401 without a
// session, 403 for the wrong role, 400 with a readable message and per-field zod errors for bad input.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Session } from "next-auth";
import superjson from "superjson";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appRouter } from "../../server/routers/_app";
import { createTRPCContext, trpcResponseMeta } from "../../server/trpc";
import Database from "better-sqlite3";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { createTempDb, onPostgres, type TempDb } from "../support/db";
import { makeUser, sessionFor } from "./helpers";

let t: TempDb;
let annotator: Session;
beforeAll(async () => {
  t = createTempDb();
  annotator = await sessionFor(t.db, await makeUser(t.db, "annotator"));
});
afterAll(() => t.close());

async function call(path: string, input: unknown, session: Session | null, method: "GET" | "POST" = "POST", db: Db = t.db) {
  const url = new URL(`http://localhost/api/trpc/${path}`);
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (method === "GET") url.searchParams.set("input", JSON.stringify(superjson.serialize(input)));
  else init.body = JSON.stringify(superjson.serialize(input));
  const req = new Request(url, init);
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ db, headers: req.headers, session }),
    responseMeta: trpcResponseMeta,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string; code: number; data: Record<string, any> } } } };
}

it("answers 401 without a session and 403 for the wrong role", async () => {
  expect((await call("tasks.next", {}, null)).status).toBe(401);
  const forbidden = await call("users.list", undefined, annotator, "GET");
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.error!.json.message).toBe("Only admins can do this.");
});

it("answers 400 with a readable message and the zod errors flattened per field", async () => {
  const res = await call("rankings.submit", { assignmentId: "a1", ranking: "first", timeMs: -1 }, annotator);
  expect(res.status).toBe(400);
  const error = res.body.error!.json;
  expect(error.message).toMatch(/^Invalid input: ranking: .+; timeMs: .+/);
  expect(Object.keys(error.data.zodError.fieldErrors).sort()).toEqual(["ranking", "timeMs"]);
});

it("answers 404 for someone else's or a made-up assignment, and 200 with null when the queue is empty", async () => {
  expect((await call("tasks.skip", { assignmentId: "nope", reason: "x" }, annotator)).status).toBe(404);
  const empty = await call("tasks.next", { kind: "rank" }, annotator);
  expect(empty.status).toBe(200);
  expect(empty.body.result!.data.json).toBeNull();
});

it.skipIf(onPostgres)("answers 503 with Retry-After and a readable sentence while another process holds the write lock", async () => {
  // Another connection (another process in real life: a long import, a backup) holds the write lock.
  const other = new Database(t.file);
  other.exec("begin immediate");
  try {
    t.db.$client.pragma("busy_timeout = 200");
    const res = await call("tasks.next", {}, annotator);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.body.error!.json.message).toBe("The database is busy with other work; try again in a few seconds.");
    expect(JSON.stringify(res.body)).not.toMatch(/locked|SQLITE/i);
  } finally {
    other.exec("rollback");
    other.close();
    t.db.$client.pragma("busy_timeout = 5000");
  }
  expect((await call("tasks.next", {}, annotator)).status).toBe(200);
});

it.runIf(onPostgres)("answers 503 with Retry-After and a readable sentence while the PostgreSQL server cannot be reached", async () => {
  // A server that is down (nothing listens on port 1): every statement fails to connect.
  const down = openDb("postgres://rlhf:s3cret@127.0.0.1:1/rlhf");
  try {
    const res = await call("tasks.next", {}, annotator, "POST", down);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.body.error!.json.message).toBe("The database is not reachable; try again in a few seconds.");
    expect(JSON.stringify(res.body)).not.toMatch(/s3cret|ECONNREFUSED/);
  } finally {
    await closeDatabase(down);
  }
  expect((await call("tasks.next", {}, annotator)).status).toBe(200);
});
