"use client";
// The ranking page body: the task workspace with a ranking task inside.
import { TaskWorkspace } from "../_components/TaskWorkspace";
import { RankingTask } from "./_components/RankingTask";

export function RankPage({ projectId }: { projectId: string | undefined }) {
  return (
    <TaskWorkspace
      projectId={projectId}
      kind="rank"
      title="Rank completions"
      emptyWhat="ranking tasks"
      renderTask={(task, onDone) => <RankingTask task={task} onDone={onDone} />}
    />
  );
}
