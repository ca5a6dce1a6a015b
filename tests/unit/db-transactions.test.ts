// Transactions begin IMMEDIATE: one that reads and then writes never fails because another connection (an import,
// the worker) committed between its read and its write.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { projects } from "../../db/schema";
import { createTempDb, type TempDb } from "../support/db";

describe("db.transaction", () => {
  let t: TempDb;
  let other: Db;
  beforeEach(async () => {
    t = createTempDb();
    other = openDb(t.file, { migrate: false });
    other.$client.pragma("busy_timeout = 0");
    await t.db.insert(projects).values({ name: "p" });
  });
  afterEach(async () => {
    await closeDatabase(other);
    await t.close();
  });

  it("holds the write lock from BEGIN, so a read-then-write is not overtaken by another process's commit", async () => {
    let otherWrote: boolean | null = null;
    await t.db.transaction(async (tx) => {
      const k = (await tx.select().from(projects))[0]!.k;
      try {
        await other.update(projects).set({ guidelines: "from the other process" });
        otherWrote = true;
      } catch (err) {
        expect(String(err)).toMatch(/database is locked/);
        otherWrote = false;
      }
      await tx.update(projects).set({ k: k + 1 }).where(eq(projects.name, "p"));
    });
    // Deferred, the other write would have gone in and this transaction's write failed with SQLITE_BUSY.
    expect(otherWrote).toBe(false);
    expect((await t.db.select().from(projects))[0]).toMatchObject({ k: 5, guidelines: "" });
  });

});
