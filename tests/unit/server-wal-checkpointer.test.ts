// The background WAL checkpointer: turns off in-thread auto-checkpoint, keeps the WAL from growing without
// bound under steady writes, and hands checkpointing back to the connection when stopped.
import fs from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startWalCheckpointer, stopWalCheckpointer } from "../../server/wal-checkpointer";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(async () => {
  await stopWalCheckpointer();
  await t.close();
});

it("checkpoints in the background and restarts the log under steady writes", async () => {
  const client = t.db.$client;
  client.exec("create table filler (id integer primary key, body text)");
  startWalCheckpointer(t.db, { intervalMs: 50 });
  expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
  const insert = client.prepare("insert into filler (body) values (?)");
  const body = "x".repeat(3000);
  // About 6000 pages in total: with no checkpoint at all the WAL would pass 24 MB.
  const end = Date.now() + 1500;
  while (Date.now() < end) {
    client.transaction(() => {
      for (let i = 0; i < 20; i++) insert.run(body);
    })();
    await new Promise((r) => setTimeout(r, 1));
  }
  const written = (client.prepare("select count(*) as n from filler").get() as { n: number }).n;
  const walBytes = fs.statSync(`${t.file}-wal`).size;
  expect(walBytes).toBeLessThan(written * 3000 * 0.8);
  await stopWalCheckpointer();
  expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
});
