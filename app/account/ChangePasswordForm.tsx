"use client";
// Changing one's own password: the current one, the new one twice. Other browsers signed in as this user are
// signed out; this one stays.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [mismatch, setMismatch] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const change = useMutation(
    trpc.users.changePassword.mutationOptions({
      onSuccess: (r) => {
        setDone(r.sessionsEnded);
        setCurrent("");
        setNext("");
        setAgain("");
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setMismatch(next === again ? null : "The new password and its repetition differ.");
    if (next === again) change.mutate({ current, next });
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Change your password">
      <Field label="Current password" htmlFor="current-password">
        <input id="current-password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} className={inputClass} />
      </Field>
      <Field label="New password" htmlFor="new-password" hint="At least 8 characters.">
        <input id="new-password" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} className={inputClass} />
      </Field>
      <Field label="New password again" htmlFor="new-password-again">
        <input id="new-password-again" type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} className={inputClass} />
      </Field>
      <ErrorBanner error={mismatch ?? change.error} />
      {done !== null && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Password changed{done ? `; ${done} other session${done === 1 ? " was" : "s were"} signed out` : ""}.
        </div>
      )}
      <Button type="submit" className="w-full" disabled={change.isPending}>
        {change.isPending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}
