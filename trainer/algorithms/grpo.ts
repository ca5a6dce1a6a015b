// Run kind 'grpo' for the run framework: the policy, the frozen reference (= the base) and the frozen RM in memory,
// train-split prompts, trainer/rl/group.ts, and the policy saved (trainer/rl/group-run.ts, shared with the other
// group kind).
import type { RunAlgorithm } from "../runs/types";
import { groupRunAlgorithm } from "../rl/group-run";

export const algorithm: RunAlgorithm<"grpo"> = groupRunAlgorithm("grpo");
