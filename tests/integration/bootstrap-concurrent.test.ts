// Web instances and workers that start together on a new database (several processes, one PostgreSQL) do the
// first-start work once: one admin, one demo project, one built-in model, and no start fails on a duplicate.
// PostgreSQL only: on SQLite the processes queue on the file's write lock, and several connections in one test
// process cannot stand in for them (a waiting connection's busy handler blocks the thread the holder needs).
import { afterAll, beforeAll, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { models, projects, users } from "../../db/schema";
import { ensureBootstrap } from "../../server/services/bootstrap";
import { ensureBuiltinModel } from "../../server/services/builtin-model";
import { createTempDb, onPostgres, type TempDb } from "../support/db";

let t: TempDb;
let others: Db[];
beforeAll(() => {
  if (!onPostgres) return;
  t = createTempDb("rlhf-bootstrap-");
  others = [0, 1, 2].map(() => openDb(t.file, { migrate: false })); // separate connections, as separate processes have
});
afterAll(async () => {
  if (!onPostgres) return;
  for (const db of others) await closeDatabase(db);
  await t.close();
});

it.runIf(onPostgres)("makes one admin, one demo project and one built-in model when four processes start at once", async () => {
  const env = { ADMIN_EMAIL: "first@start.test", ADMIN_PASSWORD: "first-start-password" };
  const [a, b, c] = await Promise.all([ensureBootstrap(t.db, env), ensureBootstrap(others[0]!, env), ensureBootstrap(others[1]!, env), ensureBuiltinModel(others[2]!)]);
  expect([a, b, c].filter((r) => r.adminEmail)).toHaveLength(1);
  expect([a, b, c].filter((r) => r.seededDemo)).toHaveLength(1);
  expect((await t.db.select().from(users)).filter((u) => u.role === "admin")).toHaveLength(1);
  expect(await t.db.select().from(projects)).toHaveLength(1);
  expect((await t.db.select().from(models)).filter((m) => m.name === "base")).toHaveLength(1);
});
