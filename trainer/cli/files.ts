// Reading the files a command is given: one place for the "cannot read FILE: no such file" and "not valid JSON"
// messages every command shows.
import fs from "node:fs";
import { jsonlLines } from "../../server/services/jsonl";
import { CliError } from "./args";

/** A text file's content, or a one-line error naming the flag (or what the file is) and why it could not be read. */
export function readTextFile(file: string, what = "file"): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${what} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message}`);
  }
}

/** A JSON file's parsed content, or a one-line error. */
export function readJsonFile(file: string, what = "file"): unknown {
  const text = readTextFile(file, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${what} ${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** The JSON objects of a JSONL file with their 1-based line numbers; a bad line is a one-line error naming it. */
export function readJsonlFile(file: string, what = "file"): { line: number; value: Record<string, unknown> }[] {
  return jsonlLines(readTextFile(file, what)).map((entry) => {
    if ("error" in entry) throw new CliError(`${file}:${entry.line}: ${entry.error}`);
    return entry;
  });
}
