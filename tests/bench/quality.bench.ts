// The research page's statistics on a large project: `npm run bench:quality -- [FILE.db]` builds (or reuses) the
// benchmark database (scripts/build-quality-db.ts: 100,000 rankings from 50 annotators) and times qualityReport,
// the call behind the page and `rlhf stats quality`, cold (first call on a fresh connection) and warm (best of 5).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDatabase, openDb } from "../../db/index";
import { qualityReport } from "../../server/services/quality";
import { buildQualityDb, BENCH_PROJECT } from "../../scripts/build-quality-db";

const file = process.argv[2] ?? path.join(os.tmpdir(), "rlhf-quality-bench.db");
if (!fs.existsSync(file)) {
  const t0 = Date.now();
  const built = buildQualityDb(file);
  console.log(`built ${file}: ${built.rankings} rankings in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const db = openDb(file, { migrate: false });
const project = db.$client.prepare("select id from projects where name = ?").get(BENCH_PROJECT) as { id: string };
const rankings = (db.$client.prepare("select count(*) as n from rankings").get() as { n: number }).n;
const times: number[] = [];
const cpu: number[] = [];
let report: Awaited<ReturnType<typeof qualityReport>> | undefined;
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  report = await qualityReport(db, project.id);
  const c = process.cpuUsage(c0);
  times.push(performance.now() - t0);
  // CPU time of this process: what the work costs when a core is free (the wall time also holds waiting for one).
  cpu.push((c.user + c.system) / 1000);
}
report = report!;
const cold = times[0]!;
const warm = Math.min(...times.slice(1));
console.log(
  JSON.stringify({
    rankings,
    annotators: report.annotators.length,
    items_with_overlap: report.itemsWithOverlap,
    krippendorff_alpha: report.krippendorffAlpha,
    pairwise_agreement: report.pairwiseAgreement,
    first_ms: Math.round(cold),
    best_ms: Math.round(warm),
    best_cpu_ms: Math.round(Math.min(...cpu.slice(1))),
    load_average: os.loadavg()[0]!.toFixed(2),
  }),
);
await closeDatabase(db);
