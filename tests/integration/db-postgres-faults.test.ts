// A PostgreSQL server that goes away and comes back (its own throwaway cluster, stopped and restarted in place): a
// statement meanwhile fails with one line that names the server and never the password, and the same pool answers
// again once the server is back, without a restart of the app. (PostgreSQL run only: it needs the server binaries.)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailableError, openPgDb, type PgDb } from "../../db/postgres";
import { onPostgres } from "../support/db";

const cluster = (cmd: string, dir: string) => execFileSync(".ci/pg-cluster", [cmd, dir], { encoding: "utf8" }).trim();

describe.runIf(onPostgres)("a PostgreSQL server that goes down and comes back", () => {
  let dir: string;
  let db: PgDb;
  beforeAll(() => {
    dir = path.join(os.tmpdir(), `rlhf-pg-fault-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const url = new URL(cluster("start", dir));
    url.password = "s3cret"; // trust auth ignores it; the messages must not show it
    db = openPgDb(url.toString(), { max: 2 });
  });
  afterAll(async () => {
    await db?.$client.end().catch(() => {});
    cluster("stop", dir);
  });

  it("fails in one line naming the host while it is down, and answers again when it is back", async () => {
    expect((await db.$client.query("select 1 as ok")).rows).toEqual([{ ok: 1 }]);
    cluster("down", dir);
    const err = await db.$client.query("select 1").then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const message = (err as Error).message;
    expect(message).toMatch(/^cannot reach PostgreSQL at postgres:\/\/rlhf@127\.0\.0\.1:\d+\/rlhf: /);
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("\n");
    cluster("up", dir);
    expect((await db.$client.query("select 1 as ok")).rows).toEqual([{ ok: 1 }]);
  });
});
