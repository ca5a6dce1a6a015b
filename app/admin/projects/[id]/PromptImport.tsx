"use client";
// Imports prompts from a JSONL or CSV file: the server checks the file and writes it in the background; the page
// follows the import with a progress bar, then shows how many were imported, how many were already there, and
// every failed line with its number.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, Field, inputClass } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";

type Format = "jsonl" | "csv";

function formatFromName(name: string): Format {
  return /\.csv$/i.test(name) ? "csv" : "jsonl";
}

const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function PromptImport({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>("jsonl");
  const [fileError, setFileError] = useState("");
  const importPrompts = useMutation(trpc.prompts.import.mutationOptions());
  const importId = importPrompts.data?.importId;
  const status = useQuery({
    ...trpc.prompts.importStatus.queryOptions({ importId: importId ?? "" }),
    enabled: !!importId,
    // Poll while it runs; stop once it has ended.
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "succeeded" || q.state.data.status === "failed") ? false : 500),
  });
  const ended = status.data?.status === "succeeded" || status.data?.status === "failed";
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries({ predicate: (q) => !JSON.stringify(q.queryKey).includes("importStatus") });
  }, [ended, queryClient]);

  function chooseFile(chosen: File | null) {
    importPrompts.reset();
    setFileError("");
    setFile(chosen);
    if (chosen) setFormat(formatFromName(chosen.name));
  }

  async function runImport() {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setFileError("The file is larger than 16 MB; split it into smaller files.");
      return;
    }
    const content = await file.text();
    importPrompts.mutate({ projectId, format, content });
  }

  const result = importPrompts.data;
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        JSONL: one <code className="rounded bg-slate-100 px-1 text-xs">{`{"prompt": "…", "id"?, "tags"?, "split"?}`}</code> per line. CSV: a header
        row with a <code className="rounded bg-slate-100 px-1 text-xs">prompt</code> column (and optional id, tags, split). Prompts already in the
        project are skipped.
      </p>
      <p className="text-sm text-slate-600">
        Your own model&apos;s outputs: add <code className="rounded bg-slate-100 px-1 text-xs">{`"completions": [{"text", "model"}, …]`}</code> (2–16;
        CSV: <code className="rounded bg-slate-100 px-1 text-xs">completion_1, model_1, …</code>) and the prompt opens a ranking of exactly those. A
        chat transcript goes in <code className="rounded bg-slate-100 px-1 text-xs">{`"messages": [{"role", "content"}, …]`}</code>, ending with a user
        turn. A file with completions is imported whole or not at all.
      </p>
      <Field label="File" htmlFor="prompt-file">
        <input
          id="prompt-file"
          type="file"
          accept=".jsonl,.json,.ndjson,.csv,.txt"
          data-testid="prompt-file"
          onChange={(e) => chooseFile(e.target.files?.[0] ?? null)}
          className="block w-full text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-200"
        />
      </Field>
      <div className="flex items-end gap-3">
        <Field label="Format" htmlFor="prompt-format">
          <div className="w-32">
            <select id="prompt-format" value={format} onChange={(e) => setFormat(e.target.value as Format)} className={inputClass}>
              <option value="jsonl">JSONL</option>
              <option value="csv">CSV</option>
            </select>
          </div>
        </Field>
        <Button onClick={() => void runImport()} disabled={!file || importPrompts.isPending || (!!importId && !ended)} data-testid="import-prompts">
          {importPrompts.isPending || (importId && !ended) ? "Importing…" : "Import"}
        </Button>
      </div>
      <ErrorBanner error={fileError || importPrompts.error || status.error || (status.data?.status === "failed" ? `The import failed and nothing of it was kept: ${status.data.error ?? "unknown reason"}` : null)} />
      {result && status.data && !ended && (
        <div data-testid="import-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(status.data.progress * 100)}>
          <div className="h-2 overflow-hidden rounded bg-slate-100">
            <div className="h-full bg-indigo-500 transition-[width]" style={{ width: `${Math.round(status.data.progress * 100)}%` }} />
          </div>
          <p className="mt-1 text-xs text-slate-500">
            {status.data.status === "writing" ? `Writing ${result.total} prompts` : "Opening their tasks"} · {Math.round(status.data.progress * 100)}%. Annotators keep working meanwhile.
          </p>
        </div>
      )}
      {result && status.data?.status === "succeeded" && <ImportSummary imported={status.data.imported} duplicates={status.data.duplicates} errors={status.data.errors} />}
    </div>
  );
}

function ImportSummary({ imported, duplicates, errors }: { imported: number; duplicates: number; errors: { line: number; message: string }[] }) {
  return (
    <div className="space-y-2" data-testid="import-result">
      <div className="flex flex-wrap gap-2 text-sm">
        <span className="rounded bg-emerald-50 px-2 py-0.5 font-medium text-emerald-700" data-testid="import-imported">
          {imported} imported
        </span>
        <span className="rounded bg-slate-100 px-2 py-0.5 font-medium text-slate-700" data-testid="import-duplicates">
          {duplicates} already there
        </span>
        <span className={`rounded px-2 py-0.5 font-medium ${errors.length ? "bg-red-50 text-red-700" : "bg-slate-100 text-slate-500"}`} data-testid="import-errors">
          {errors.length} {errors.length === 1 ? "line" : "lines"} failed
        </span>
      </div>
      {errors.length > 0 && (
        <div className="max-h-48 overflow-y-auto rounded-md border border-red-100">
          <table className="w-full text-left text-xs">
            <thead className="bg-red-50 text-red-800">
              <tr>
                <th className="w-16 px-2 py-1 font-semibold">Line</th>
                <th className="px-2 py-1 font-semibold">Problem</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-red-50">
              {errors.map((err) => (
                <tr key={`${err.line}-${err.message}`}>
                  <td className="px-2 py-1 tabular-nums text-slate-600">{err.line}</td>
                  <td className="px-2 py-1 text-slate-800">{err.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
