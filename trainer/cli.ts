// The `rlhf` CLI entry point: finds the command's noun, loads only that noun's module (trainer/cli/commands/<noun>.ts;
// no module loads TensorFlow.js until a command needs it), runs it, and turns every failure into a one-line error
// and a non-zero exit code.
import { ServiceError } from "../server/services/errors";
import { terminalSafe } from "../server/services/text-limits";
import { Args, CliError, UsageError } from "./cli/args";
import type { Command, CommandIO, CommandModule } from "./cli/types";
import { oneLineError } from "./runs/errors";
import { RunFailedError } from "./runs/start";

type Loader = () => Promise<CommandModule>;

/** One module per noun, in the order `rlhf --help` lists them. `logprobs` lives beside `generate`. */
const NOUNS: Record<string, Loader> = {
  db: () => import("./cli/commands/db"),
  users: () => import("./cli/commands/users"),
  projects: () => import("./cli/commands/projects"),
  prompts: () => import("./cli/commands/prompts"),
  import: () => import("./cli/commands/import"),
  models: () => import("./cli/commands/models"),
  sample: () => import("./cli/commands/sample"),
  train: () => import("./cli/commands/train"),
  runs: () => import("./cli/commands/runs"),
  eval: () => import("./cli/commands/eval"),
  generate: () => import("./cli/commands/generate"),
  logprobs: () => import("./cli/commands/generate"),
  export: () => import("./cli/commands/export"),
  gold: () => import("./cli/commands/gold"),
  stats: () => import("./cli/commands/stats"),
  tokens: () => import("./cli/commands/tokens"),
  worker: () => import("./cli/commands/worker"),
  serve: () => import("./cli/commands/serve"),
  bench: () => import("./cli/commands/bench"),
};

/** Every command, in help order (each module once). */
export async function allCommands(): Promise<Command[]> {
  const modules = [...new Set(Object.values(NOUNS))];
  const loaded = await Promise.all(modules.map((load) => load()));
  const seen = new Set<string>();
  return loaded.flatMap((m) => m.commands).filter((c) => !seen.has(c.name) && !!seen.add(c.name));
}

export async function helpText(): Promise<string> {
  const lines = (await allCommands()).map((c) => `  ${c.usage}`);
  return ["usage: rlhf COMMAND [flags] [--json]", "", "commands:", ...lines, "", "Every command takes --json to print one JSON object on stdout; 'rlhf COMMAND --help' says more."].join("\n");
}

/** The command argv names (one or two words) and the rest of argv, or undefined. */
async function findCommand(argv: string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const load = argv[0] ? NOUNS[argv[0]] : undefined;
  if (!load || !Object.hasOwn(NOUNS, argv[0]!)) return undefined;
  const { commands } = await load();
  const two = argv.slice(0, 2).join(" ");
  const byTwo = commands.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = commands.find((c) => c.name === argv[0]);
  return byOne ? { command: byOne, rest: argv.slice(1) } : undefined;
}

function formatHuman(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join("\n");
}

/** Runs one CLI invocation and returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const fail = (code: number, message: string): number => {
    const line = oneLineError(message);
    if (json) process.stdout.write(JSON.stringify({ ok: false, error: line }) + "\n");
    process.stderr.write(`rlhf: ${terminalSafe(line)}\n`);
    return code;
  };

  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write((await helpText()) + "\n");
    return argv.length === 0 ? 2 : 0;
  }
  const found = await findCommand(argv);
  if (!found) return fail(2, `unknown command '${argv.slice(0, 2).join(" ")}'; run 'rlhf --help' for the list`);
  const spec = found.command;
  if (found.rest.includes("--help")) {
    process.stdout.write(`usage: ${spec.usage} [--json]\n${spec.help ? `${spec.help}\n` : ""}`);
    return 0;
  }

  const io: CommandIO = { json, log: (m) => process.stderr.write(terminalSafe(m) + "\n") };
  try {
    const args = new Args(found.rest, new Set(["json", "queue", "tasks", "once", "force", "allow-ties", "unranked", "chat", "completions", "create-annotators", "consensus", "weights", "include-gold", "require-rationale", "no-ties", "no-rationale"]));
    const result = await spec.run(args, io);
    args.assertAllUsed();
    if (json) process.stdout.write(JSON.stringify({ ok: true, ...result.json }) + "\n");
    // Human output may hold stored names and texts: control characters never reach the terminal raw.
    else process.stdout.write(terminalSafe(result.text ?? formatHuman(result.json)) + "\n");
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message} (usage: ${spec.usage})`);
    if (err instanceof CliError || err instanceof RunFailedError) return fail(1, err.message);
    // Services speak for the user already; bad input is a usage error, the rest a plain failure.
    if (err instanceof ServiceError) return fail(err.code === "BAD_REQUEST" ? 2 : 1, err.message);
    if (process.env.RLHF_DEBUG) console.error(err);
    const { databaseUnavailable } = await import("../db/postgres");
    const unreachable = databaseUnavailable(err); // one line naming the server, not the statement drizzle wraps it in
    const { oneLineError } = await import("./runs/errors");
    return fail(1, unreachable ? unreachable.message : oneLineError(err));
  } finally {
    const { closeDb } = await import("../db/index");
    await closeDb();
  }
}
