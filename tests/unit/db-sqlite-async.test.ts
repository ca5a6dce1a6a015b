// Async transactions on one SQLite connection: commit and rollback with awaiting callbacks, savepoints when nested,
// and no other request's statement ever runs inside an open transaction (it waits, and survives a rollback).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { projects } from "../../db/schema";
import { asyncTransaction, idle } from "../../db/sqlite-async";

let dir: string;
let db: Db;
const names = async () => (await db.select({ name: projects.name }).from(projects).orderBy(projects.name)).map((r) => r.name);
const tick = () => new Promise((r) => setTimeout(r, 5));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-async-tx-"));
  db = openDb(path.join(dir, "t.db"));
});
afterEach(async () => {
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("asyncTransaction on SQLite", () => {
  it("commits what an awaiting callback wrote, and rolls all of it back when it throws", async () => {
    await asyncTransaction(db, async (tx) => {
      await tx.insert(projects).values({ name: "a" });
      await tick(); // real I/O inside the transaction
      await tx.insert(projects).values({ name: "b" });
    });
    await expect(
      asyncTransaction(db, async (tx) => {
        await tx.insert(projects).values({ name: "c" });
        await tick();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await names()).toEqual(["a", "b"]);
  });

  it("keeps another request's write out of an open transaction: it waits, and a rollback does not take it away", async () => {
    let inside!: () => void;
    const opened = new Promise<void>((r) => (inside = r));
    const tx = asyncTransaction(db, async (t) => {
      await t.insert(projects).values({ name: "tx" });
      inside();
      await tick();
      await tick();
      // The outside write has not run yet: it waits for this transaction to end.
      expect((await t.select().from(projects)).map((r) => r.name)).toEqual(["tx"]);
      throw new Error("rolled back");
    }).catch((e: Error) => e.message);
    await opened;
    const outside = db.insert(projects).values({ name: "outside" }).then(() => "written");
    expect(await Promise.all([tx, outside])).toEqual(["rolled back", "written"]);
    expect(await names()).toEqual(["outside"]);
  });

  it("runs transactions one after another, never interleaved", async () => {
    const order: string[] = [];
    const run = (name: string) =>
      asyncTransaction(db, async (t) => {
        order.push(`begin ${name}`);
        await tick();
        await t.insert(projects).values({ name });
        order.push(`end ${name}`);
      });
    await Promise.all([run("x"), run("y"), run("z")]);
    expect(order).toEqual(["begin x", "end x", "begin y", "end y", "begin z", "end z"]);
    expect(await names()).toEqual(["x", "y", "z"]);
  });

  it("makes a nested transaction a savepoint: its failure undoes only its own writes", async () => {
    await asyncTransaction(db, async (t) => {
      await t.insert(projects).values({ name: "outer" });
      await asyncTransaction(t, async (inner) => {
        await inner.insert(projects).values({ name: "inner" });
        throw new Error("inner fails");
      }).catch(() => undefined);
      await t.update(projects).set({ guidelines: "kept" }).where(eq(projects.name, "outer"));
    });
    expect(await names()).toEqual(["outer"]);
    expect((await db.select().from(projects))[0]!.guidelines).toBe("kept");
  });

  it("lets raw statements wait for an open transaction with idle()", async () => {
    let inside!: () => void;
    const opened = new Promise<void>((r) => (inside = r));
    const tx = asyncTransaction(db, async (t) => {
      await t.insert(projects).values({ name: "tx" });
      inside();
      await tick();
    });
    await opened;
    await idle(db);
    expect(db.$client.inTransaction).toBe(false);
    expect(db.$client.prepare("SELECT count(*) AS n FROM projects").get()).toEqual({ n: 1 });
    await tx;
  });
});
