// `rlhf runs list | show ID | cancel ID`: the runs of every kind, their status, latest metrics and log tail.
import { getDb } from "../../../db/index";
import { RUN_STATUSES, type RunStatus } from "../../../db/schema";
import { listModels } from "../../../server/services/models";
import { cancelRun, getRun, listRuns, runLogLines, runMetricSeries, type RunRow } from "../../../server/services/runs";
import { UsageError } from "../args";
import { fmt, iso } from "../shared";
import type { Command, Handler } from "../types";

function runSummary(r: RunRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    name: r.name,
    progress: r.progress,
    base_model_id: r.baseModelId,
    reward_model_id: r.rewardModelId,
    output_model_id: r.outputModelId,
    worker_id: r.workerId,
    error: r.error,
    created_at: iso(r.createdAt),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
  };
}

const runsList: Handler = async (args) => {
  const status = args.string("status");
  const limit = args.int("limit", { default: 50, min: 1, max: 1000 });
  args.assertAllUsed();
  if (status && !RUN_STATUSES.includes(status as RunStatus)) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(", ")}`);
  const rows = await listRuns(getDb(), { status: status as RunStatus | undefined, limit });
  const text = rows.length
    ? rows.map((r) => `${r.id}  ${r.kind.padEnd(6)} ${r.status.padEnd(9)} ${String(Math.round(r.progress * 100)).padStart(3)}%  ${r.name ?? ""}${r.error ? `  error: ${r.error}` : ""}`).join("\n")
    : "no runs yet ('rlhf train sft --base base' starts one)";
  return { json: { runs: rows.map(runSummary) }, text };
};

const runsShow: Handler = async (args) => {
  const id = args.positional(0, "run ID");
  args.assertAllUsed();
  const db = getDb();
  const run = await getRun(db, id);
  const series = await runMetricSeries(db, id);
  const latest = Object.fromEntries(Object.entries(series).map(([name, points]) => [name, points[points.length - 1]!.value]));
  const logs = (await runLogLines(db, id, 0, 1000)).slice(-20).map((l) => `${iso(l.at)} ${l.level} ${l.message}`);
  const outputModel = run.outputModelId ? (await listModels(db)).find((m) => m.id === run.outputModelId)?.name ?? null : null;
  const json = { run: { ...runSummary(run), config: run.config, output_model: outputModel }, metrics: latest, steps: Math.max(0, ...Object.values(series).map((p) => p[p.length - 1]!.step)), logs };
  const text = [
    `run ${run.id}: ${run.kind} ${run.status} (${Math.round(run.progress * 100)}%)${run.error ? ` — ${run.error}` : ""}`,
    `output model: ${outputModel ?? run.name ?? "-"}`,
    `config: ${JSON.stringify(run.config)}`,
    `latest metrics: ${Object.entries(latest).map(([k, v]) => `${k}=${fmt(v)}`).join(" ") || "-"}`,
    ...logs.map((l) => `  ${l}`),
  ].join("\n");
  return { json, text };
};

const runsCancel: Handler = async (args) => {
  const id = args.positional(0, "run ID");
  args.assertAllUsed();
  const run = await cancelRun(getDb(), id);
  return { json: { run_id: run.id, status: run.status }, text: `cancelled run ${run.id}` };
};

export const commands: Command[] = [
  { name: "runs list", usage: "rlhf runs list [--status S] [--limit N]", run: runsList },
  { name: "runs show", usage: "rlhf runs show ID", run: runsShow },
  { name: "runs cancel", usage: "rlhf runs cancel ID", run: runsCancel },
];
