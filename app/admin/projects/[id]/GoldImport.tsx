"use client";
// Marks prompts as gold from a JSONL file of known rankings (the rankings format): all of the file or none of it.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, inputClass } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

export function GoldImport({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [file, setFile] = useState<File | null>(null);
  const importGold = useMutation(trpc.gold.import.mutationOptions());
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">
        One <code className="rounded bg-slate-100 px-1 text-xs">{`{"prompt","completions":[…],"ranking":[[0],[2,1],…]}`}</code> per line, the
        known ranking of every completion. Gold tasks are served at the project&apos;s gold rate and never exported unless asked.
      </p>
      <input
        type="file"
        accept=".jsonl,.json,application/json"
        aria-label="Gold file"
        onChange={(e) => {
          importGold.reset();
          setFile(e.target.files?.[0] ?? null);
        }}
        className={inputClass}
      />
      <Button disabled={!file || importGold.isPending} onClick={async () => file && importGold.mutate({ projectId, content: await file.text() })}>
        {importGold.isPending ? "Importing…" : "Import gold items"}
      </Button>
      <ErrorBanner error={importGold.error} />
      {importGold.data && (
        <p role="status" className="text-sm text-emerald-700">
          {importGold.data.goldItems} gold items ({importGold.data.tasksOpened} new gold tasks, {importGold.data.updated} known rankings changed).
        </p>
      )}
    </div>
  );
}
