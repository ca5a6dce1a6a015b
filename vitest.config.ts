// Test runner config: node environment, one fork per file, and a reporter that prints the closing line CI reads.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default", "./tests/support/closing-line-reporter.ts"],
  },
});
