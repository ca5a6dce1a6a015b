// The `rlhf` CLI entry point: finds the command, loads only the module that implements it (data commands never
// load TensorFlow.js), runs it, and turns every failure into a one-line error and a non-zero exit code.
import { ServiceError } from "../server/services/errors";
import { Args, CliError, UsageError } from "./cli/args";
import type { CommandIO, HandlerModule } from "./cli/types";

type Loader = () => Promise<HandlerModule>;

const data: Loader = () => import("./cli/data-commands");
const modelCore: Loader = () => import("./cli/model-core-commands");
const registry: Loader = () => import("./cli/registry-commands");
const rl: Loader = () => import("./cli/rl-commands");
const exportCmds: Loader = () => import("./cli/export-commands");

/** Every command of the contract in shared/design.md, with its one-line usage and the module that runs it. */
export const COMMANDS: Record<string, { usage: string; load: Loader }> = {
  "db migrate": { usage: "rlhf db migrate", load: data },
  "db seed": { usage: "rlhf db seed", load: data },
  "db backup": { usage: "rlhf db backup FILE", load: data },
  "users add": { usage: "rlhf users add --email E --role admin|annotator|researcher [--password P] [--name N]", load: data },
  "prompts import": { usage: "rlhf prompts import FILE.jsonl|FILE.csv [--project NAME]", load: data },
  "import demonstrations": { usage: "rlhf import demonstrations FILE.jsonl [--project NAME]", load: data },
  "import rankings": { usage: "rlhf import rankings FILE.jsonl [--project NAME]", load: data },
  export: { usage: "rlhf export --format trl-preference|trl-preference-chat|trl-sft|rankings|hh-rlhf [--out FILE] [--project P] [--split S] [--since DATE] [--until DATE] [--model M] [--min-agreement X] [--annotator EMAIL]", load: exportCmds },
  "tokens create": { usage: "rlhf tokens create --user EMAIL --name N", load: exportCmds },
  "models list": { usage: "rlhf models list", load: registry },
  "models import-hf": { usage: "rlhf models import-hf DIR --name N", load: registry },
  sample: { usage: "rlhf sample --model M --prompts FILE.jsonl|--split S --k K [--out FILE.jsonl] [--tasks]", load: registry },
  "train sft": { usage: "rlhf train sft --base M [--config FILE.json] [--name N] [--queue]", load: registry },
  "train rm": { usage: "rlhf train rm --base M [--config FILE.json] [--name N] [--queue]", load: rl },
  "train ppo": { usage: "rlhf train ppo --base M --reward R [--config FILE.json] [--name N] [--queue]", load: rl },
  "train dpo": { usage: "rlhf train dpo --base M [--config FILE.json] [--name N] [--queue]", load: rl },
  "runs list": { usage: "rlhf runs list", load: registry },
  "runs show": { usage: "rlhf runs show ID", load: registry },
  "runs cancel": { usage: "rlhf runs cancel ID", load: registry },
  "eval rm": { usage: "rlhf eval rm --model M [--data FILE.jsonl]", load: rl },
  generate: { usage: "rlhf generate --model M --prompt TEXT [--n N]", load: modelCore },
  logprobs: { usage: "rlhf logprobs --model M --text TEXT", load: modelCore },
  worker: { usage: "rlhf worker [--once]", load: registry },
  "bench train": { usage: "rlhf bench train [--config tiny] [--seconds S]", load: modelCore },
  "bench generate": { usage: "rlhf bench generate [--config tiny] [--seconds S]", load: modelCore },
};

function helpText(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}`);
  return ["usage: rlhf COMMAND [flags] [--json]", "", "commands:", ...lines, "", "Every command takes --json to print one JSON object on stdout."].join("\n");
}

/** Finds the longest command name that prefixes argv (commands are one or two words). */
function findCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(" ");
  if (COMMANDS[two]) return { name: two, rest: argv.slice(2) };
  if (argv[0] && COMMANDS[argv[0]]) return { name: argv[0], rest: argv.slice(1) };
  return undefined;
}

function formatHuman(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join("\n");
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}

/** Runs one CLI invocation and returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const fail = (code: number, message: string): number => {
    const line = oneLine(message);
    if (json) process.stdout.write(JSON.stringify({ ok: false, error: line }) + "\n");
    process.stderr.write(`rlhf: ${line}\n`);
    return code;
  };

  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(helpText() + "\n");
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) return fail(2, `unknown command '${argv.slice(0, 2).join(" ")}'; run 'rlhf --help' for the list`);
  const spec = COMMANDS[found.name]!;
  if (found.rest.includes("--help")) {
    process.stdout.write(`usage: ${spec.usage} [--json]\n`);
    return 0;
  }

  const io: CommandIO = { json, log: (m) => process.stderr.write(m + "\n") };
  try {
    const args = new Args(found.rest, new Set(["json", "queue", "tasks", "once", "force"]));
    const mod = await spec.load();
    const handler = mod.handlers[found.name];
    if (!handler) throw new CliError(`command '${found.name}' is not available in this build`);
    const result = await handler(args, io);
    args.assertAllUsed();
    if (json) process.stdout.write(JSON.stringify({ ok: true, ...result.json }) + "\n");
    else process.stdout.write((result.text ?? formatHuman(result.json)) + "\n");
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message} (usage: ${spec.usage})`);
    if (err instanceof CliError) return fail(1, err.message);
    // Services speak for the user already; bad input is a usage error, the rest a plain failure.
    if (err instanceof ServiceError) return fail(err.code === "BAD_REQUEST" ? 2 : 1, err.message);
    if (process.env.RLHF_DEBUG) console.error(err);
    return fail(1, err instanceof Error ? err.message : String(err));
  } finally {
    const { closeDb } = await import("../db/index");
    closeDb();
  }
}
