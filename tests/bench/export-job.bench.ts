// How a background export (server/services/export-job.ts) shares the web process: `npm run bench:export-job --
// [FORMAT] [FILE.db]` runs one on the export benchmark database (scripts/build-export-db.ts) in this process and
// samples the event loop's delay meanwhile: what any other request waits at most while the file is written.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import { closeDatabase, openDb } from "../../db/index";
import { exportJobs } from "../../db/schema";
import { startExportJob } from "../../server/services/export-job";
import { buildExportDb } from "../../scripts/build-export-db";

const format = process.argv[2] ?? "trl-preference";
const file = process.argv[3] ?? path.join(os.tmpdir(), "rlhf-export-bench.db");
if (!fs.existsSync(file)) await buildExportDb(file);
const db = openDb(file);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-export-job-"));
const load = os.loadavg()[0]!;
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const t0 = performance.now();
const { id } = await startExportJob(db, { format, filter: {}, userId: null }, { dir });
let job = (await db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!;
while (job.status === "running") {
  await new Promise((r) => setTimeout(r, 100));
  job = (await db.select().from(exportJobs).where(eq(exportJobs.id, id)))[0]!;
}
const seconds = (performance.now() - t0) / 1000;
delay.disable();
fs.rmSync(dir, { recursive: true, force: true });
await closeDatabase(db);
console.log(
  JSON.stringify({
    format,
    status: job.status,
    records: job.records,
    seconds: Math.round(seconds * 10) / 10,
    records_per_s: Math.round(job.records / seconds),
    // The event loop's delay, sampled every 5 ms: how long a request arriving meanwhile waits for the loop.
    loop_delay_p50_ms: Math.round(delay.percentile(50) / 1e5) / 10,
    loop_delay_p99_ms: Math.round(delay.percentile(99) / 1e5) / 10,
    loop_delay_max_ms: Math.round(delay.max / 1e5) / 10,
    load_average: load.toFixed(2),
  }),
);
