"use client";
// The user's own export API tokens: each with its expiry and last use, a new one shown once after creation (with the
// curl line that uses it), and revocation that takes effect at once.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Button, Field, inputClass, TableHead } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "never");

export function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.mine.queryOptions());
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [shown, setShown] = useState<string | null>(null);
  // Read after mount: the server renders without knowing the address the browser used.
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.mine.queryKey() });
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: async (t) => {
        setShown(t.token);
        setName("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setShown(null);
    create.mutate({ name: name.trim(), expiresDays: Number(days) });
  }

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        Tokens let scripts download exports: <code className="text-xs">curl -H &apos;Authorization: Bearer TOKEN&apos; &apos;{origin}/api/export?format=trl-preference&apos;</code>
      </p>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="New API token">
        <Field label="Name" htmlFor="token-name">
          <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. training cluster" className={inputClass} />
        </Field>
        <Field label="Expires in (days)" htmlFor="token-days">
          <input id="token-days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} className={`${inputClass} w-28`} />
        </Field>
        <Button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create token"}
        </Button>
      </form>
      <ErrorBanner error={create.error ?? revoke.error ?? tokens.error} />
      {shown && (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Copy it now; it is not shown again:
          <code className="mt-1 block select-all break-all font-mono text-xs" data-testid="new-token">
            {shown}
          </code>
        </div>
      )}
      {tokens.data && tokens.data.length > 0 && (
        <table className="w-full text-left text-sm" data-testid="token-table">
          <TableHead columns={["Name", "Created", "Expires", "Last used", "", ""]} />
          <tbody className="divide-y divide-slate-100">
            {tokens.data.map((t) => (
              <tr key={t.id} data-testid="token-row" data-token={t.name}>
                <td className="py-2 pr-2 font-medium text-slate-800">{t.name}</td>
                <td className="py-2 pr-2 text-slate-600">{day(t.created_at)}</td>
                <td className="py-2 pr-2 text-slate-600">{day(t.expires_at)}</td>
                <td className="py-2 pr-2 text-slate-600">{day(t.last_used_at)}</td>
                <td className="py-2 pr-2">{t.revoked ? <Badge tone="red">revoked</Badge> : t.active ? <Badge tone="green">active</Badge> : <Badge tone="amber">expired</Badge>}</td>
                <td className="py-2 text-right">
                  {!t.revoked && (
                    <Button variant="ghost" onClick={() => revoke.mutate({ id: t.id })} disabled={revoke.isPending}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tokens.data && tokens.data.length === 0 && <p className="text-sm text-slate-500">No tokens yet.</p>}
    </div>
  );
}
