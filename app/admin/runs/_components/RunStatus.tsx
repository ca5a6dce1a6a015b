// A run's status as a coloured badge, and its progress as a thin bar with the percentage.
import { Badge } from "~/app/_components/ui";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

const TONES = { queued: "slate", running: "indigo", succeeded: "green", failed: "red", cancelled: "amber" } as const;

export function isActive(status: RunStatus): boolean {
  return status === "queued" || status === "running";
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span data-testid="run-status" data-status={status}>
      <Badge tone={TONES[status]}>
        {status === "running" && <span className="mr-1 h-1.5 w-1.5 animate-pulse rounded-full bg-indigo-500" />}
        {status}
      </Badge>
    </span>
  );
}

export function ProgressBar({ value, status }: { value: number; status: RunStatus }) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  const fill = status === "failed" ? "bg-red-400" : status === "cancelled" ? "bg-amber-400" : status === "succeeded" ? "bg-emerald-500" : "bg-indigo-500";
  return (
    <div className="flex items-center gap-2" title={`${pct}%`}>
      <div className="h-1.5 w-20 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <div className={`h-full rounded-full ${fill} transition-[width] duration-500`} style={{ width: `${pct}%` }} />
      </div>
      <span className="w-9 text-right text-xs tabular-nums text-slate-500">{pct}%</span>
    </div>
  );
}

/** "Nov 21, 09:42" in the viewer's time zone; "—" for none. */
export function formatWhen(date: Date | string | null | undefined): string {
  if (!date) return "—";
  return new Date(date).toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
}
