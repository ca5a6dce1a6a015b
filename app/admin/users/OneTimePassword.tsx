"use client";
// Shows a generated password once, for the admin to pass on; it is stored only as a hash.
import { Button } from "~/app/_components/ui";

export function OneTimePassword({ email, password, onDismiss }: { email: string; password: string; onDismiss: () => void }) {
  return (
    <div role="status" className="flex flex-wrap items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <span>
        Password for <strong>{email}</strong>:{" "}
        <code className="rounded bg-white px-1.5 py-0.5 font-mono text-sm" data-testid="one-time-password">
          {password}
        </code>
      </span>
      <span className="text-xs text-amber-700">Shown only now; pass it on securely.</span>
      <Button variant="secondary" className="ml-auto" onClick={() => void navigator.clipboard?.writeText(password)}>
        Copy
      </Button>
      <Button variant="ghost" onClick={onDismiss}>
        Dismiss
      </Button>
    </div>
  );
}
