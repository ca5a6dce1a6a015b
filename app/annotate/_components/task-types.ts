// The task an annotator works on, exactly as `tasks.next` returns it: one variant per task kind.
import type { RouterOutputs } from "~/app/_lib/trpc";
import type { TaskKind } from "~/db/schema";

export type TaskView = NonNullable<RouterOutputs["tasks"]["next"]>;
/** One kind's variant, carrying only the fields that kind has. */
export type TaskViewOf<K extends TaskKind> = Extract<TaskView, { kind: K }>;
export type DemonstrateTaskView = TaskViewOf<"demonstrate">;
export type RankTaskView = TaskViewOf<"rank">;

/** Narrows a task to the kind a page asked for (the queue only hands out that kind, so this is a type check). */
export function isTaskOfKind<K extends TaskKind>(task: TaskView, kind: K): task is TaskViewOf<K> {
  return task.kind === kind;
}
