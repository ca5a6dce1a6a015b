// A red banner with a readable message for any error (tRPC or otherwise); renders nothing without an error.
import { readableError } from "~/app/_lib/errors";

export function ErrorBanner({ error, className = "" }: { error: unknown; className?: string }) {
  if (!error) return null;
  const message = typeof error === "string" ? error : readableError(error);
  return (
    <div role="alert" data-testid="error-banner" className={`rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 ${className}`}>
      {message}
    </div>
  );
}
