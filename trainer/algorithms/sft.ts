// Run kind 'sft': the training itself, loaded on demand from trainer/sft/run (the kind's descriptor, config and
// dataset check live in server/services/run-kinds and run-creation).
import type { RunAlgorithm } from "../runs/types";

export const algorithm: RunAlgorithm<"sft"> = {
  kind: "sft",
  async train(ctx) {
    const { runSFT } = await import("../sft/run");
    return runSFT(ctx);
  },
};
