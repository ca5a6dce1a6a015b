"use client";
// The demonstration page body: the task workspace with a demonstration task inside.
import { TaskWorkspace } from "../_components/TaskWorkspace";
import { DemonstrationTask } from "./_components/DemonstrationTask";

export function DemonstratePage({ projectId }: { projectId: string | undefined }) {
  return (
    <TaskWorkspace
      projectId={projectId}
      kind="demonstrate"
      title="Write a demonstration"
      emptyWhat="demonstration tasks"
      renderTask={(task, onDone) => <DemonstrationTask task={task} onDone={onDone} />}
    />
  );
}
