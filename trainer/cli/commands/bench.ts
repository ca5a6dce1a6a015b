// `rlhf bench train | generate`: tokens per second of the trainer and the sampler on a named model size.
import { Args, CliError } from "../args";
import type { Command, CommandIO, Handler } from "../types";

const benchTrainCmd: Handler = async (args: Args, io: CommandIO) => {
  const config = args.string("config") ?? "tiny";
  const seconds = args.number("seconds", { default: 10, min: 1, max: 3600 })!;
  const workers = args.int("workers", { default: 2, min: 1, max: 16 });
  args.assertAllUsed();
  const { runTrainBench, benchConfig } = await import("../../bench/train-bench.js");
  try {
    benchConfig(config);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  io.log(`training the '${config}' model for ${seconds}s on ${workers} worker(s)`);
  const r = await runTrainBench({ config, seconds, workers });
  return { json: { ...r } };
};

const benchGenerateCmd: Handler = async (args: Args, io: CommandIO) => {
  const config = args.string("config") ?? "tiny";
  const seconds = args.number("seconds", { default: 5, min: 1, max: 3600 })!;
  const batch = args.int("batch", { default: 1, min: 1, max: 256 });
  args.assertAllUsed();
  const { runGenerateBench } = await import("../../bench/generate-bench.js");
  const { benchConfig } = await import("../../bench/train-bench.js");
  try {
    benchConfig(config);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  io.log(`sampling from the '${config}' model, with and without the KV cache`);
  return { json: { ...(await runGenerateBench({ config, seconds, batch })) } };
};

export const commands: Command[] = [
  { name: "bench train", usage: "rlhf bench train [--config tiny] [--seconds S] [--workers W]", run: benchTrainCmd },
  { name: "bench generate", usage: "rlhf bench generate [--config tiny] [--seconds S] [--batch B]", run: benchGenerateCmd },
];
