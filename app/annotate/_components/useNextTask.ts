"use client";
// Loads the annotator's next task of one kind in one project, and reloads after a submit or skip.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPCClient } from "~/app/_lib/trpc";
import type { TaskKind } from "~/db/schema";
import { isTaskOfKind, type TaskViewOf } from "./task-types";

export type NextTaskState<K extends TaskKind> =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "empty" }
  | { status: "ready"; task: TaskViewOf<K> };

export function useNextTask<K extends TaskKind>(projectId: string | undefined, kind: K) {
  const client = useTRPCClient();
  const [state, setState] = useState<NextTaskState<K>>({ status: "loading" });
  const requestId = useRef(0);

  const load = useCallback(async () => {
    const id = ++requestId.current;
    setState({ status: "loading" });
    try {
      const task = await client.tasks.next.mutate({ projectId, kind });
      if (id !== requestId.current) return;
      if (!task) setState({ status: "empty" });
      else if (isTaskOfKind(task, kind)) setState({ status: "ready", task });
      else setState({ status: "error", error: `Expected a ${kind} task but the server sent a ${task.kind} task. Reload the page to try again.` });
    } catch (error) {
      if (id === requestId.current) setState({ status: "error", error });
    }
  }, [client, projectId, kind]);

  useEffect(() => {
    void load();
  }, [load]);

  return { state, reload: load };
}
