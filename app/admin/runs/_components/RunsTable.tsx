// The list of runs, newest first: what was trained from what, its status, progress, and how long it took.
import Link from "next/link";
import { TableHead } from "~/app/_components/ui";
import { formatDuration } from "~/app/_lib/time";
import type { RouterOutputs } from "~/app/_lib/trpc";
import { formatWhen, ProgressBar, RunStatusBadge } from "./RunStatus";

type Run = RouterOutputs["runs"]["list"][number];

export function RunsTable({ runs, basePath }: { runs: Run[]; basePath: string }) {
  return (
    <div className="-m-4 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="runs-table">
        <TableHead columns={["Run", "Status", "Progress", "Models", { label: "Took", right: true }]} />
        <tbody className="divide-y divide-slate-100">
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-row" data-run-id={run.id} className="align-top hover:bg-slate-50/60">
              <td className="px-4 py-2.5">
                <Link href={`${basePath}/runs/${run.id}`} className="whitespace-nowrap font-medium text-indigo-700 hover:underline">
                  {run.name ?? `${run.kind} run`}
                </Link>
                <div className="whitespace-nowrap text-xs text-slate-400">
                  <span className="uppercase tracking-wide">{run.kind}</span> · {formatWhen(run.createdAt)}
                </div>
              </td>
              <td className="px-4 py-2.5">
                <RunStatusBadge status={run.status} />
                {run.error && (
                  <div className="mt-1 max-w-[13rem] truncate text-xs text-red-600" title={run.error}>
                    {run.error}
                  </div>
                )}
              </td>
              <td className="px-4 py-2.5">
                <ProgressBar value={run.progress} status={run.status} />
              </td>
              <td className="px-4 py-2.5 text-xs text-slate-600">
                {run.kind === "sample" ? (
                  <div>
                    <span className="text-slate-400">samples</span> {String(run.config.policies ?? "").split(",").join(", ")}
                    {typeof run.config.project === "string" && run.config.project && (
                      <>
                        {" "}
                        <span className="text-slate-400">into</span> {run.config.project}
                      </>
                    )}
                  </div>
                ) : (
                  <div>
                    <span className="text-slate-400">from</span> {run.baseModel ?? "—"}
                    {run.rewardModel && (
                      <>
                        {" "}
                        <span className="text-slate-400">with RM</span> {run.rewardModel}
                      </>
                    )}
                  </div>
                )}
                {run.outputModel && (
                  <div>
                    <span className="text-slate-400">→</span> <span className="font-medium text-slate-800">{run.outputModel}</span>
                  </div>
                )}
              </td>
              <td className="whitespace-nowrap px-4 py-2.5 text-right text-xs tabular-nums text-slate-500">{formatDuration(run.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
