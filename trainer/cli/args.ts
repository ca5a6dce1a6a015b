// Argument parsing for the `rlhf` CLI: positionals, `--flag value`, `--flag=value`, boolean flags, typed getters
// that throw a one-line UsageError a user can act on.

/** Bad input: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the user can act on (missing model, empty dataset…): printed as one line, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

export class Args {
  readonly positionals: string[] = [];
  private readonly flags = new Map<string, string | true>();
  private readonly used = new Set<string>(["json"]);

  constructor(argv: string[], booleanFlags: ReadonlySet<string> = new Set()) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === "--") {
        this.positionals.push(...argv.slice(i + 1));
        break;
      }
      if (a.startsWith("--")) {
        const eq = a.indexOf("=");
        const key = a.slice(2, eq === -1 ? undefined : eq);
        if (!key) throw new UsageError(`empty flag name in '${a}'`);
        if (eq !== -1) this.flags.set(key, a.slice(eq + 1));
        else if (booleanFlags.has(key) || i + 1 >= argv.length || argv[i + 1]!.startsWith("--")) this.flags.set(key, true);
        else this.flags.set(key, argv[++i]!);
      } else this.positionals.push(a);
    }
  }

  has(name: string): boolean {
    this.used.add(name);
    return this.flags.has(name);
  }

  bool(name: string): boolean {
    this.used.add(name);
    const v = this.flags.get(name);
    if (v === undefined) return false;
    if (v === true || v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    throw new UsageError(`--${name} takes no value (got '${v}')`);
  }

  string(name: string): string | undefined;
  string(name: string, opts: { required: true }): string;
  string(name: string, opts: { required?: boolean } = {}): string | undefined {
    this.used.add(name);
    const v = this.flags.get(name);
    if (v === undefined) {
      if (opts.required) throw new UsageError(`missing --${name}`);
      return undefined;
    }
    if (v === true) throw new UsageError(`--${name} needs a value`);
    return v;
  }

  number(name: string, opts: { default?: number; min?: number; max?: number; integer?: boolean; required?: boolean } = {}): number | undefined {
    const raw = this.string(name, { required: opts.required ?? false } as { required: true });
    if (raw === undefined) return opts.default;
    const n = Number(raw);
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)))
      throw new UsageError(`--${name} must be ${opts.integer ? "an integer" : "a number"} (got '${raw}')`);
    if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${name} must be at least ${opts.min} (got ${n})`);
    if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${name} must be at most ${opts.max} (got ${n})`);
    return n;
  }

  int(name: string, opts: { default: number; min?: number; max?: number }): number {
    return this.number(name, { ...opts, integer: true })!;
  }

  /** The n-th positional after the command words, or a UsageError naming it. */
  positional(index: number, label: string): string {
    const v = this.positionals[index];
    if (v === undefined) throw new UsageError(`missing ${label}`);
    return v;
  }

  /** Rejects flags the command never read, so a typo is an error rather than silently ignored. */
  assertAllUsed(): void {
    for (const key of this.flags.keys()) if (!this.used.has(key)) throw new UsageError(`unknown flag --${key}`);
  }
}
