"use client";
// Creates an account; without a password one is generated and shown once.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass } from "~/app/_components/ui";
import { ROLE_LABELS, type AppRole } from "~/app/_lib/roles";
import { useTRPC } from "~/app/_lib/trpc";

export function CreateUserForm({ onCreated }: { onCreated: (email: string, generatedPassword: string | null) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<AppRole>("annotator");
  const [password, setPassword] = useState("");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (result) => {
        onCreated(result.user.email, result.generatedPassword);
        setEmail("");
        setName("");
        setPassword("");
        await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ email: email.trim(), name: name.trim() || undefined, role, password: password || undefined });
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Create a user">
      <Field label="Email" htmlFor="new-user-email">
        <input id="new-user-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} className={inputClass} />
      </Field>
      <Field label="Name" htmlFor="new-user-name">
        <input id="new-user-name" value={name} onChange={(e) => setName(e.target.value)} className={inputClass} />
      </Field>
      <Field label="Role" htmlFor="new-user-role">
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as AppRole)} className={inputClass}>
          {(Object.keys(ROLE_LABELS) as AppRole[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Password" htmlFor="new-user-password" hint="At least 8 characters. Leave empty to generate one.">
        <input
          id="new-user-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className={inputClass}
        />
      </Field>
      <ErrorBanner error={create.error} />
      <Button type="submit" className="w-full" disabled={create.isPending || !email.trim()}>
        {create.isPending ? "Creating…" : "Create user"}
      </Button>
    </form>
  );
}
