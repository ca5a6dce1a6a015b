// Export speed on the whole CLI process: `npm run bench:export -- [FORMAT] [FILE.db] [--pg | --both]` builds (or
// reuses) the benchmark database (scripts/build-export-db.ts: 200,000 rankings of K = 4, 1.2M pairs), runs
// `/usr/bin/time -v rlhf export --format FORMAT --out FILE` on it and prints records/s, wall and CPU time, peak RSS.
// --pg builds the same data into a fresh PostgreSQL database instead (on DATABASE_URL's server when that is a
// postgres:// URL, else a throwaway cluster) and exports from it; --both runs SQLite, then PostgreSQL.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildExportDb } from "../../scripts/build-export-db";
import { benchPgDatabase } from "./pg-database";

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith("--"));
const format = positional[0] ?? "trl-preference";
const file = positional[1] ?? path.join(os.tmpdir(), "rlhf-export-bench.db");
const databases = args.includes("--both") ? (["sqlite", "postgresql"] as const) : args.includes("--pg") ? (["postgresql"] as const) : (["sqlite"] as const);
/** The targets this bench measures: records/s over the whole process, and its peak RSS. */
const TARGET = { recordsPerSec: 100_000, peakRssMb: 300 };

interface Figures {
  database: string;
  format: string;
  records: number;
  mb: number;
  wall_s: number;
  records_per_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  load_average: string;
}

/** One `rlhf export --out` process on `databaseUrl`, under /usr/bin/time -v. */
function timedExport(database: string, databaseUrl: string): Figures {
  const out = path.join(os.tmpdir(), `rlhf-export-bench-${process.pid}.jsonl`);
  const rlhf = path.join(import.meta.dirname, "../../trainer/bin/rlhf.mjs");
  // Other work on the machine slows the wall time; the load average (1, 5, 15 min) says how much there was.
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  const res = spawnSync("/usr/bin/time", ["-v", process.execPath, rlhf, "export", "--format", format, "--out", out, "--json"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  const bytes = fs.existsSync(out) ? fs.statSync(out).size : 0;
  fs.rmSync(out, { force: true });
  if (res.status !== 0) throw new Error(`rlhf export on ${database} failed: ${res.stderr || res.error?.message}`);
  // `time -v` reports on stderr; the export's own --json summary is the last stdout line.
  const field = (name: string) => res.stderr.split("\n").find((l) => l.trim().startsWith(name))?.split(": ").pop()?.trim() ?? "";
  const clock = field("Elapsed (wall clock) time").split(":").map(Number);
  const wallS = clock.reduce((s, x) => s * 60 + x, 0);
  const cpuS = Number(field("User time (seconds)")) + Number(field("System time (seconds)"));
  const { records } = JSON.parse(res.stdout.trim().split("\n").pop()!) as { records: number };
  return {
    database,
    format,
    records,
    mb: Math.round(bytes / 1e6),
    wall_s: wallS,
    records_per_s: Math.round(records / wallS),
    cpu_s: Math.round(cpuS * 100) / 100,
    peak_rss_mb: Math.round(Number(field("Maximum resident set size (kbytes)")) / 1024),
    load_average: load,
  };
}

const results: Figures[] = [];
for (const database of databases) {
  if (database === "sqlite") {
    if (!fs.existsSync(file)) {
      const t0 = Date.now();
      const built = await buildExportDb(file);
      console.log(`built ${file}: ${built.rankings} rankings (${built.pairs} pairs) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    results.push(timedExport("sqlite", file));
  } else {
    const pgDb = await benchPgDatabase("rlhf_bench_export");
    try {
      const t0 = Date.now();
      const built = await buildExportDb(pgDb.url);
      console.log(`built a PostgreSQL database: ${built.rankings} rankings (${built.pairs} pairs) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      results.push(timedExport("postgresql", pgDb.url));
    } finally {
      await pgDb.drop();
    }
  }
  console.log(JSON.stringify(results.at(-1)));
}

console.log("\ndatabase     records   wall s   records/s   CPU s   peak RSS MB   load average (1, 5, 15 min)");
for (const r of results)
  console.log(
    `${r.database.padEnd(10)} ${String(r.records).padStart(9)} ${r.wall_s.toFixed(1).padStart(8)} ${String(r.records_per_s).padStart(11)} ${r.cpu_s.toFixed(1).padStart(7)} ${String(r.peak_rss_mb).padStart(13)}   ${r.load_average}`,
  );
for (const r of results) {
  const ok = r.records_per_s >= TARGET.recordsPerSec && r.peak_rss_mb < TARGET.peakRssMb;
  console.log(`target on ${r.database} (≥ ${TARGET.recordsPerSec.toLocaleString("en")} records/s, peak RSS < ${TARGET.peakRssMb} MB): ${ok ? "met" : "NOT met"}`);
}
