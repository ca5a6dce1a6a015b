// Run kind 'sample': policies (ours or endpoints) sample a project's prompts into ranking tasks (trainer/sample/run).
import type { RunAlgorithm } from "../runs/types";

export const algorithm: RunAlgorithm<"sample"> = {
  kind: "sample",
  async train(ctx) {
    const { runSampling } = await import("../sample/run");
    return runSampling(ctx);
  },
};
