"use client";
// One account in the users table: change its role, disable or enable it, reset its password.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Badge, Button } from "~/app/_components/ui";
import { readableError } from "~/app/_lib/errors";
import { ROLE_LABELS, type AppRole } from "~/app/_lib/roles";
import { useTRPC, type RouterOutputs } from "~/app/_lib/trpc";

type User = RouterOutputs["users"]["list"][number];

export function UserRow({ user, onPasswordReset }: { user: User; onPasswordReset: (password: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const update = useMutation(trpc.users.update.mutationOptions({ onSettled: refresh }));
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      onSuccess: (result) => {
        if (result.password) onPasswordReset(result.password);
      },
    }),
  );
  const error = update.error ?? reset.error;
  const busy = update.isPending || reset.isPending;

  return (
    <tr className={user.disabled ? "bg-slate-50 text-slate-400" : ""} data-testid="user-row" data-email={user.email}>
      <td className="px-4 py-2.5">
        <div className="font-medium text-slate-800">{user.name || "—"}</div>
        <div className="text-xs text-slate-500">{user.email}</div>
        {error && (
          <div role="alert" className="mt-1 text-xs text-red-600">
            {readableError(error)}
          </div>
        )}
      </td>
      <td className="px-4 py-2.5">
        <select
          aria-label={`Role of ${user.email}`}
          value={user.role}
          disabled={busy}
          onChange={(e) => update.mutate({ id: user.id, role: e.target.value as AppRole })}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-800"
        >
          {(Object.keys(ROLE_LABELS) as AppRole[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </td>
      <td className="px-4 py-2.5">{user.disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}</td>
      <td className="px-4 py-2.5">
        <div className="flex justify-end gap-1.5">
          <Button variant="secondary" disabled={busy} onClick={() => reset.mutate({ id: user.id })}>
            Reset password
          </Button>
          <Button variant={user.disabled ? "secondary" : "danger"} disabled={busy} onClick={() => update.mutate({ id: user.id, disabled: !user.disabled })}>
            {user.disabled ? "Enable" : "Disable"}
          </Button>
        </div>
      </td>
    </tr>
  );
}
