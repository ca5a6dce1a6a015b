// Transactions begin IMMEDIATE: one that reads and then writes never fails because another connection (an import,
// the worker) committed between its read and its write.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDb, type Db } from "../../db/index";
import { projects } from "../../db/schema";
import { createTempDb, type TempDb } from "../support/db";

describe("db.transaction", () => {
  let t: TempDb;
  let other: Db;
  beforeEach(() => {
    t = createTempDb();
    other = openDb(t.file, { migrate: false });
    other.$client.pragma("busy_timeout = 0");
    t.db.insert(projects).values({ name: "p" }).run();
  });
  afterEach(() => {
    other.$client.close();
    t.close();
  });

  it("holds the write lock from BEGIN, so a read-then-write is not overtaken by another process's commit", () => {
    let otherWrote: boolean | null = null;
    t.db.transaction((tx) => {
      const k = tx.select().from(projects).get()!.k;
      try {
        other.update(projects).set({ guidelines: "from the other process" }).run();
        otherWrote = true;
      } catch (err) {
        expect(String(err)).toMatch(/database is locked/);
        otherWrote = false;
      }
      tx.update(projects).set({ k: k + 1 }).where(eq(projects.name, "p")).run();
    });
    // Deferred, the other write would have gone in and this transaction's write failed with SQLITE_BUSY.
    expect(otherWrote).toBe(false);
    expect(t.db.select().from(projects).get()).toMatchObject({ k: 5, guidelines: "" });
  });

  it("still accepts an explicit behaviour", () => {
    t.db.transaction((tx) => void tx.select().from(projects).all(), { behavior: "deferred" });
    other.update(projects).set({ guidelines: "x" }).run();
    expect(t.db.select().from(projects).get()!.guidelines).toBe("x");
  });
});
