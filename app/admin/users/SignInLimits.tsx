"use client";
// Sign-in limits in force now: addresses refused for failing too often, and accounts whose failing addresses must
// wait before trying again. An admin can clear either (a colleague who mistyped behind the office proxy, say).
// Shown only when there is something to see.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Badge, Button, Card, TableHead } from "~/app/_components/ui";
import { formatDuration } from "~/app/_lib/time";
import { useTRPC } from "~/app/_lib/trpc";

export function SignInLimits() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const limits = useQuery({ ...trpc.users.signInLimits.queryOptions(), refetchInterval: 30_000 });
  const clear = useMutation(trpc.users.clearSignInLimit.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.signInLimits.queryKey() }) }));
  if (!limits.data?.length && !limits.error) return null;
  return (
    <Card title="Sign-in limits in force">
      <ErrorBanner error={limits.error ?? clear.error} />
      {limits.data && (
        <div className="-m-4 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="sign-in-limits">
            <TableHead columns={["Account or address", "Failures", "State", "For", { label: "", right: true }]} />
            <tbody className="divide-y divide-slate-100">
              {limits.data.map((l) => (
                <tr key={l.key} data-testid="sign-in-limit" data-key={l.key}>
                  <td className="px-4 py-2 font-mono text-xs text-slate-800">{l.subject}</td>
                  <td className="px-4 py-2 tabular-nums text-slate-600">{l.failures}</td>
                  <td className="px-4 py-2">{l.state === "blocked" ? <Badge tone="red">address blocked</Badge> : <Badge tone="amber">account slowed down</Badge>}</td>
                  <td className="px-4 py-2 text-slate-600">{formatDuration(l.retryAfterMs)}</td>
                  <td className="px-4 py-2 text-right">
                    <Button variant="secondary" onClick={() => clear.mutate({ key: l.key })} disabled={clear.isPending}>
                      Clear
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
