"use client";
// Loads the annotator's next task of one kind in one project, and reloads after a submit or skip.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPCClient } from "~/app/_lib/trpc";
import type { TaskView } from "./task-types";

export type NextTaskState =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "empty" }
  | { status: "ready"; task: TaskView };

export function useNextTask(projectId: string | undefined, kind: "demonstrate" | "rank") {
  const client = useTRPCClient();
  const [state, setState] = useState<NextTaskState>({ status: "loading" });
  const requestId = useRef(0);

  const load = useCallback(async () => {
    const id = ++requestId.current;
    setState({ status: "loading" });
    try {
      const task = await client.tasks.next.mutate({ projectId, kind });
      if (id !== requestId.current) return;
      setState(task ? { status: "ready", task } : { status: "empty" });
    } catch (error) {
      if (id === requestId.current) setState({ status: "error", error });
    }
  }, [client, projectId, kind]);

  useEffect(() => {
    void load();
  }, [load]);

  return { state, reload: load };
}
