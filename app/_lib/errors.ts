// Turns whatever a tRPC call throws into one readable sentence (field errors included, never a stack trace).

type FieldErrors = Record<string, string[] | undefined>;

interface ErrorShapeLike {
  message?: string;
  data?: { code?: string; zodError?: { fieldErrors?: FieldErrors; formErrors?: string[] } | null } | null;
}

const CODE_MESSAGES: Record<string, string> = {
  UNAUTHORIZED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "Your role is not allowed to do this.",
  NOT_FOUND: "That item no longer exists.",
  TOO_MANY_REQUESTS: "Too many attempts. Please wait a minute and try again.",
  INTERNAL_SERVER_ERROR: "Something went wrong on the server. Please try again.",
};

/** A message for the user: zod field errors first, then the server's message, then a generic one for the code. */
export function readableError(err: unknown): string {
  if (!err) return "";
  const shape = err as ErrorShapeLike;
  const zod = shape.data?.zodError;
  if (zod) {
    const fields = Object.entries(zod.fieldErrors ?? {})
      .filter(([, msgs]) => msgs && msgs.length > 0)
      .map(([field, msgs]) => `${field}: ${msgs!.join(", ")}`);
    const all = [...(zod.formErrors ?? []), ...fields];
    if (all.length > 0) return all.join("; ");
  }
  const code = shape.data?.code;
  const message = typeof shape.message === "string" ? shape.message : "";
  if (code === "INTERNAL_SERVER_ERROR" || looksTechnical(message)) return CODE_MESSAGES[code ?? "INTERNAL_SERVER_ERROR"]!;
  if (message) return message;
  if (code && CODE_MESSAGES[code]) return CODE_MESSAGES[code]!;
  return "Something went wrong. Please try again.";
}

/** Messages that are raw JSON, stack traces or network internals are not for users. */
function looksTechnical(message: string): boolean {
  return /^\s*[[{]/.test(message) || /\n\s+at /.test(message) || /Unexpected token|fetch failed|ECONN/.test(message);
}
