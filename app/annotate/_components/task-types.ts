// The task an annotator works on, exactly as `tasks.next` returns it.
import type { RouterOutputs } from "~/app/_lib/trpc";

export type TaskView = NonNullable<RouterOutputs["tasks"]["next"]>;
