// Test runner config: node environment, one fork per file, a reporter that prints the closing line CI reads, and
// the PostgreSQL template database for `npm run test:pg`.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    pool: "forks",
    // Test files already run in parallel, one per core: trainers default to one compute thread here so they do not
    // contend with each other. The data-parallel path has its own tests, which ask for 2 threads explicitly.
    env: { RLHF_WORKERS: process.env.RLHF_WORKERS ?? "1" },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default", "./tests/support/closing-line-reporter.ts"],
    // With DATABASE_URL=postgres://… (npm run test:pg) every test database is copied from one migrated template.
    globalSetup: ["./tests/support/pg-global-setup.ts"],
  },
});
