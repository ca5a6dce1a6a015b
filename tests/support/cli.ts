// Runs the `rlhf` CLI in-process for tests, capturing stdout and stderr and parsing the --json line.
import { vi } from "vitest";
import { main } from "../../trainer/cli";

export interface CliResult {
  code: number;
  out: string;
  err: string;
  json: Record<string, any> | null;
}

/** Runs the CLI in-process, capturing stdout and stderr. */
export async function rlhf(...argv: string[]): Promise<CliResult> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(argv);
    const last = out.trim().split("\n").pop();
    const json = argv.includes("--json") && last ? (JSON.parse(last) as Record<string, any>) : null;
    return { code, out, err, json };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The error line a failing command printed (stderr ends with exactly one `rlhf: …` line). */
export function errorLine(r: CliResult): string {
  const lines = r.err.trim().split("\n").filter((l) => l.startsWith("rlhf: "));
  return lines[lines.length - 1] ?? "";
}
