// Vitest reporter that prints the plain "N passed, N failed" line CI reads at the end of a run. With
// RLHF_TEST_TOTALS naming a file, the line counts every run that shared the file (.ci/run's SQLite run, then its
// PostgreSQL run), so the last line CI reads covers both.
import fs from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

function withEarlierRuns(now: { passed: number; failed: number; skipped: number }) {
  const file = process.env.RLHF_TEST_TOTALS;
  if (!file) return now;
  let before = { passed: 0, failed: 0, skipped: 0 };
  try {
    before = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // the first run of the set
  }
  const total = { passed: before.passed + now.passed, failed: before.failed + now.failed, skipped: before.skipped + now.skipped };
  fs.writeFileSync(file, JSON.stringify(total));
  return total;
}

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
        else skipped++;
      }
      // A file that fails to load, or whose beforeAll throws (its tests then show as skipped), must still count
      // as a failure.
      failed += mod.state() === "failed" && failedHere === 0 ? 1 : failedHere;
    }
    const t = withEarlierRuns({ passed, failed, skipped });
    console.log(`\n${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ""}`);
  }
}
