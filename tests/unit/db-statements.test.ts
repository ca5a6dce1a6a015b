// db/statements.ts on SQLite: statements written once for both databases behave as the services rely on.
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { allRows, lockTask, skipLocked, sqlBoolean, sqlStatement, jsonList } from "../../db/statements";
import { tasks } from "../../db/schema";
import { createTempDb } from "../support/db";

const t = createTempDb("rlhf-statements-");
afterAll(() => t.close());

describe("statements on SQLite", () => {
  it("binds booleans as 1/0 and only the parameters a statement names", async () => {
    const s = sqlStatement<{ b: number; x: string | null }>(t.db, "select @flag as b, @x as x");
    expect(await s.get({ flag: true, x: "a", unused: 5 })).toEqual({ b: 1, x: "a" });
    expect(await s.get({ flag: false })).toEqual({ b: 0, x: null });
  });

  it("reads raw rows with .values without turning the statement's .all raw", async () => {
    const s = sqlStatement<{ value: string }>(t.db, `select value from (${jsonList(t.db, "ids")}) order by value`);
    expect(await s.values({ ids: JSON.stringify(["b", "a"]) })).toEqual([["a"], ["b"]]);
    expect(await s.all({ ids: JSON.stringify(["c"]) })).toEqual([{ value: "c" }]);
  });

  it("spells boolean literals so that SQLite keeps using its partial gold index for tasks.next", async () => {
    const plan = await allRows<{ detail: string }>(
      t.db,
      sql.raw(`explain query plan select t.id from tasks t where t.response_count < t.required_responses and t.gold = ${sqlBoolean(t.db, true)} and t.project_id = 'p' and t.kind = 'rank' order by t.rowid limit 1`),
    );
    expect(plan.map((r) => r.detail).join(" | ")).toContain("tasks_gold");
  });

  it("takes no lock and adds no locking clause on SQLite (its transactions already hold the write lock)", async () => {
    await t.db.transaction(async (tx) => await lockTask(tx, "some-task"));
    const q = t.db.select({ id: tasks.id }).from(tasks).limit(1);
    expect(skipLocked(t.db, q)).toBe(q);
  });
});
