// A PostgreSQL database for one benchmark run: a fresh database on the server DATABASE_URL names when it is a
// postgres:// URL, otherwise on a throwaway cluster started here (.ci/pg-cluster). `drop()` removes the database (or
// the whole cluster); so does the process's exit, so an interrupted bench leaves no server running.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { onMaintenanceDb, withDatabase } from "../support/pg-global-setup";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface BenchPg {
  /** The fresh database's URL. */
  url: string;
  /** The cluster's postmaster, when it was started here: its process tree's CPU time is the database's share. */
  serverPid: number | null;
  drop(): Promise<void>;
}

export const isPostgresUrl = (url: string | undefined) => /^postgres(ql)?:\/\//i.test(url ?? "");

export async function benchPgDatabase(prefix: string): Promise<BenchPg> {
  const given = isPostgresUrl(process.env.DATABASE_URL) ? process.env.DATABASE_URL! : null;
  let clusterDir: string | null = null;
  let server = given;
  if (!server) {
    clusterDir = path.join(os.tmpdir(), `rlhf-bench-pg-${process.pid}-${randomBytes(3).toString("hex")}`);
    server = execFileSync(path.join(ROOT, ".ci/pg-cluster"), ["start", clusterDir], { encoding: "utf8" }).trim();
  }
  const stopCluster = () => {
    if (clusterDir) spawnSync(path.join(ROOT, ".ci/pg-cluster"), ["stop", clusterDir], { stdio: "inherit" });
    clusterDir = null;
  };
  process.on("exit", stopCluster);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await onMaintenanceDb(server, `create database ${name}`);
  const pidFile = clusterDir ? path.join(clusterDir, "data", "postmaster.pid") : null;
  return {
    url: withDatabase(server, name),
    serverPid: pidFile && fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]) : null,
    async drop() {
      if (clusterDir) stopCluster();
      else await onMaintenanceDb(server!, `drop database if exists ${name} with (force)`).catch(() => {});
      process.off("exit", stopCluster);
    },
  };
}
