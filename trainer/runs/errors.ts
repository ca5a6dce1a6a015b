// Errors with a meaning to the run framework: a cancelled run stops quietly; a RunInputError is the user's to fix.

/** Thrown by an algorithm when ctx.isCancelled() turns true; the run stays `cancelled`, not `failed`. */
export class RunCancelledError extends Error {
  override name = "RunCancelledError";
  constructor(message = "run cancelled") {
    super(message);
  }
}

/** Bad input found before or during a run (empty dataset, bad checkpoint, bad config): one line for the user. */
export class RunInputError extends Error {
  override name = "RunInputError";
}

/** True for this module's RunCancelledError and trainer/rl's RunCancelled alike (matched by name, no import). */
export function isCancellation(err: unknown): boolean {
  return err instanceof Error && (err.name === "RunCancelledError" || err.name === "RunCancelled");
}

/** An error as one line, for runs.error, run logs and the CLI. */
export function oneLineError(err: unknown): string {
  // drizzle wraps a driver's error in "Failed query: <sql> params: <values>": the driver's own words are the message
  // (the statement and its values are no one's business in a run's error, and may be long).
  const cause = err instanceof Error && err.message.startsWith("Failed query:") && err.cause instanceof Error ? err.cause : err;
  const msg = cause instanceof Error ? cause.message : String(cause);
  return msg.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}
