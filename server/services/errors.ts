// Errors that services throw for a user to read. Routers map `code` to the tRPC code; the CLI prints `message`.

export type ServiceErrorCode = "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT" | "FORBIDDEN";

export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new ServiceError("NOT_FOUND", message);
export const badRequest = (message: string) => new ServiceError("BAD_REQUEST", message);
export const conflict = (message: string) => new ServiceError("CONFLICT", message);
