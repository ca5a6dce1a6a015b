"use client";
// Shared frame of both task pages: loads the next task of a kind, shows loading/empty/error, a confirmation
// after each submit, and renders the task itself (keyed by assignment so each task starts fresh).
import Link from "next/link";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { NoMoreTasks, TaskLoadError, TaskLoading } from "./TaskStates";
import type { TaskKind } from "~/db/schema";
import type { TaskViewOf } from "./task-types";
import { useNextTask } from "./useNextTask";

export function TaskWorkspace<K extends TaskKind>({
  projectId,
  kind,
  title,
  emptyWhat,
  renderTask,
}: {
  projectId: string | undefined;
  kind: K;
  title: string;
  emptyWhat: string;
  renderTask: (task: TaskViewOf<K>, onDone: (message: string) => void) => ReactNode;
}) {
  const { state, reload } = useNextTask(projectId, kind);
  const [notice, setNotice] = useState("");

  const onDone = useCallback(
    (message: string) => {
      setNotice(message);
      void reload();
    },
    [reload],
  );

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(""), 3000);
    return () => clearTimeout(timer);
  }, [notice]);

  const projectName = state.status === "ready" ? state.task.projectName : "";

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <Link href="/annotate" className="text-sm text-slate-500 hover:text-slate-800">
          ← My tasks
        </Link>
        <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
        {projectName && <span className="rounded bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">{projectName}</span>}
        {notice && (
          <span role="status" className="ml-auto rounded-md bg-emerald-50 px-2.5 py-1 text-sm font-medium text-emerald-700" data-testid="task-notice">
            ✓ {notice}
          </span>
        )}
      </div>
      {state.status === "loading" && <TaskLoading />}
      {state.status === "error" && <TaskLoadError error={state.error} onRetry={() => void reload()} />}
      {state.status === "empty" && <NoMoreTasks what={emptyWhat} />}
      {state.status === "ready" && <div key={state.task.assignmentId}>{renderTask(state.task, onDone)}</div>}
    </div>
  );
}
