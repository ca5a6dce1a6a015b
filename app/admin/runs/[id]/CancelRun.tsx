"use client";
// Cancels a queued or running run after a confirming second click (a running one stops at its next check).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/app/_components/ui";
import { readableError } from "~/app/_lib/errors";
import { useTRPC } from "~/app/_lib/trpc";

export function CancelRun({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSettled: async () => {
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) });
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
      },
    }),
  );
  return (
    <div className="flex items-center gap-2">
      {cancel.error && <span className="text-xs text-red-600" role="alert">{readableError(cancel.error)}</span>}
      {confirming ? (
        <>
          <span className="text-sm text-slate-600">Cancel this run?</span>
          <Button variant="danger" disabled={cancel.isPending} onClick={() => cancel.mutate({ id: runId })}>
            {cancel.isPending ? "Cancelling…" : "Yes, cancel it"}
          </Button>
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </>
      ) : (
        <Button variant="secondary" onClick={() => setConfirming(true)}>
          Cancel run
        </Button>
      )}
    </div>
  );
}
