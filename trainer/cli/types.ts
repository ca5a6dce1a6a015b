// The shape of every `rlhf` command, shared by the dispatcher (trainer/cli.ts) and the command modules (one per noun
// in trainer/cli/commands/).
import type { Args } from "./args";

export interface CommandIO {
  /** True with --json: the handler's return value is printed as one JSON object on stdout. */
  json: boolean;
  /** Human-readable progress and notes: always stderr, so `--json` stdout stays one clean object. */
  log(message: string): void;
}

/**
 * A command handler. It reads its flags from `args` (positionals exclude the command words), calls
 * `args.assertAllUsed()` before doing any work (so a typo never half-runs a command), and returns
 * the result object. Without --json the dispatcher prints `text` when the handler gives it, else the object.
 */
export type Handler = (args: Args, io: CommandIO) => Promise<{ json: Record<string, unknown>; text?: string }>;

export interface Command {
  /** One or two words: "export", "models list". */
  name: string;
  /** The line `rlhf --help` prints. */
  usage: string;
  /** More for `rlhf COMMAND --help`: input formats, defaults. */
  help?: string;
  run: Handler;
}

/** A noun's module: trainer/cli/commands/<noun>.ts exports its commands. */
export type CommandModule = { commands: Command[] };
