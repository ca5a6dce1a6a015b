// `rlhf worker`: runs queued runs (from the browser or `rlhf train --queue`) until stopped; Ctrl-C or SIGTERM stops
// after the current step, and a run with a resumable checkpoint goes back to the queue.
import { registryDb } from "../shared";
import type { Command, Handler } from "../types";

const worker: Handler = async (args, io) => {
  const once = args.bool("once");
  const pollMs = args.int("poll-ms", { default: 2000, min: 50 });
  args.assertAllUsed();
  const { runWorker } = await import("../../worker");
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C means now
    stopping = true;
    io.log(`${sig}: stopping after the current step (press again to quit at once)`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const summary = await runWorker(await registryDb(), { once, pollMs, log: io.log, progressBar: true, shouldStop: () => stopping });
    const runs = summary.results.map((r) => ({ run: r.run.id, kind: r.run.kind, status: r.run.status, model: r.model?.name ?? null, error: r.error }));
    return {
      json: { worker_id: summary.workerId, runs },
      text: runs.length ? runs.map((r) => `${r.run} ${r.kind} ${r.status}${r.model ? ` → ${r.model}` : ""}${r.error ? `: ${r.error}` : ""}`).join("\n") : "no queued runs",
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};

export const commands: Command[] = [{ name: "worker", usage: "rlhf worker [--once]", run: worker }];
