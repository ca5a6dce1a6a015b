// `npm run test:pg`: the integration and end-to-end suites on PostgreSQL. Uses DATABASE_URL when it is a postgres://
// URL; otherwise starts a throwaway cluster (.ci/pg-cluster: loopback port, temporary folder) and removes it after.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const given = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") ? process.env.DATABASE_URL : null;
const dir = given ? null : path.join(os.tmpdir(), `rlhf-test-pg-${process.pid}`);
let url = given;
if (dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  url = execFileSync(".ci/pg-cluster", ["start", dir], { encoding: "utf8" }).trim();
}
let status = 1;
try {
  const args = ["vitest", "run", ...(process.argv.slice(2).length ? process.argv.slice(2) : ["tests/integration", "tests/e2e"])];
  status = spawnSync("npx", args, { stdio: "inherit", env: { ...process.env, DATABASE_URL: url, RLHF_TEST_PG_URL: url } }).status ?? 1;
} finally {
  if (dir) spawnSync(".ci/pg-cluster", ["stop", dir], { stdio: "inherit" });
}
process.exit(status);
