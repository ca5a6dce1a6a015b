// Export speed on the whole CLI process: `npm run bench:export -- [FORMAT] [FILE.db]` builds (or reuses) the benchmark
// database (scripts/build-export-db.ts: 200,000 rankings of K = 4, 1.2M pairs), runs
// `/usr/bin/time -v rlhf export --format FORMAT --out FILE` on it and prints records/s, wall and CPU time, peak RSS.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildExportDb } from "../../scripts/build-export-db";

const format = process.argv[2] ?? "trl-preference";
const file = process.argv[3] ?? path.join(os.tmpdir(), "rlhf-export-bench.db");
if (!fs.existsSync(file)) {
  const t0 = Date.now();
  const built = buildExportDb(file);
  console.log(`built ${file}: ${built.rankings} rankings (${built.pairs} pairs) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const out = path.join(os.tmpdir(), `rlhf-export-bench-${process.pid}.jsonl`);
const rlhf = path.join(import.meta.dirname, "../../trainer/bin/rlhf.mjs");
const load = os.loadavg()[0]!;
const res = spawnSync("/usr/bin/time", ["-v", process.execPath, rlhf, "export", "--format", format, "--out", out, "--json"], {
  env: { ...process.env, DATABASE_URL: file },
  encoding: "utf8",
});
const bytes = fs.existsSync(out) ? fs.statSync(out).size : 0;
fs.rmSync(out, { force: true });
if (res.status !== 0) {
  console.error(res.stderr || res.error?.message);
  process.exit(1);
}
// `time -v` reports on stderr; the export's own --json summary is the last stdout line.
const field = (name: string) => res.stderr.split("\n").find((l) => l.trim().startsWith(name))?.split(": ").pop()?.trim() ?? "";
const clock = field("Elapsed (wall clock) time").split(":").map(Number);
const wallS = clock.reduce((s, x) => s * 60 + x, 0);
const cpuS = Number(field("User time (seconds)")) + Number(field("System time (seconds)"));
const { records } = JSON.parse(res.stdout.trim().split("\n").pop()!) as { records: number };
console.log(
  JSON.stringify({
    format,
    records,
    mb: Math.round(bytes / 1e6),
    wall_s: wallS,
    records_per_s: Math.round(records / wallS),
    cpu_s: Math.round(cpuS * 100) / 100,
    peak_rss_mb: Math.round(Number(field("Maximum resident set size (kbytes)")) / 1024),
    // Other work on the machine slows the wall time; the load average says how much there was.
    load_average: load.toFixed(2),
  }),
);
