// The `sft` run kind for the run framework: config parsing and the dataset check stay tfjs-free (so queuing is
// light); the training itself is loaded on demand from ./run.
import type { RunAlgorithm } from "../runs/types";
import { parseSFTConfig, type SFTConfig } from "./config";
import { loadDemonstrations } from "./data";

export const algorithm: RunAlgorithm<SFTConfig> = {
  kind: "sft",
  outputKind: "policy",
  needsBase: true,
  needsReward: false,
  parseConfig: parseSFTConfig,
  preflight(db, { config }) {
    loadDemonstrations(db, config);
  },
  async train(ctx) {
    const { runSFT } = await import("./run");
    return runSFT(ctx);
  },
};
