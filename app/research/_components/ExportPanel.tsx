"use client";
// Export a dataset from the browser: pick a format and filters and the server writes the file in the background
// (exports.start; a bad filter is refused at once), a progress bar follows it, and a download link appears when the
// file is whole. Nothing holds a request open meanwhile, so an export of millions of pairs works like a small one.
// Scripts keep the streaming GET /api/export with an API token (the curl line below).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Button, Card, Field, inputClass, Select } from "~/app/_components/ui";
import { readableError } from "~/app/_lib/errors";
import { formatCount } from "~/app/_lib/time";
import { useTRPC } from "~/app/_lib/trpc";
import { EXPORT_FORMAT_HELP, EXPORT_FORMATS, type ExportFormat } from "~/server/services/export-formats";

const POLL_MS = 500;

function formatMegabytes(bytes: number): string {
  return bytes < 100_000 ? `${(bytes / 1000).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function ExportPanel({ projects }: { projects: string[] }) {
  const trpc = useTRPC();
  const [format, setFormat] = useState<ExportFormat>("trl-preference");
  const [project, setProject] = useState("");
  const [split, setSplit] = useState("");
  const [minAgreement, setMinAgreement] = useState("");
  // Label-quality options: one record per item, annotator weights, gold items included.
  const [consensus, setConsensus] = useState(false);
  const [weights, setWeights] = useState(false);
  const [includeGold, setIncludeGold] = useState(false);
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);

  const start = useMutation(trpc.exports.start.mutationOptions());
  const cancel = useMutation(trpc.exports.cancel.mutationOptions());
  const jobId = start.data?.id;
  const job = useQuery({
    ...trpc.exports.get.queryOptions({ id: jobId ?? "" }),
    enabled: !!jobId,
    // Poll while it is written; stop once it has ended.
    refetchInterval: (q) => (q.state.data && q.state.data.status !== "running" ? false : POLL_MS),
  });
  const latest = job.data ?? start.data;
  const running = start.isPending || latest?.status === "running";

  const query = useMemo(() => {
    const q = new URLSearchParams({ format });
    if (project) q.set("project", project);
    if (split) q.set("split", split);
    if (minAgreement) q.set("min_agreement", minAgreement);
    if (consensus) q.set("consensus", "1");
    if (weights) q.set("weights", "1");
    if (includeGold) q.set("include_gold", "1");
    return q.toString();
  }, [format, project, split, minAgreement, consensus, weights, includeGold]);
  const flags = `${consensus ? " --consensus" : ""}${weights ? " --weights" : ""}${includeGold ? " --include-gold" : ""}`;

  // A result is about the filters it was made with: new filters hide it (a running export stays in view).
  const [startedWith, setStartedWith] = useState("");
  const current = running || startedWith === query;
  const status = current ? latest : undefined;

  function startExport() {
    setStartedWith(query);
    start.mutate({
      format,
      filter: { project: project || undefined, split: split || undefined, minAgreement: minAgreement || undefined, consensus, weights, includeGold },
    });
  }

  const notice: { tone: "error" | "empty"; text: string } | null = !current
    ? null
    : start.error
    ? { tone: "error", text: readableError(start.error) }
    : status?.status === "failed"
      ? { tone: "error", text: `The export failed: ${status.error ?? "unknown reason"}` }
      : status?.status === "succeeded" && status.records === 0
        ? { tone: "empty", text: "Nothing matched these filters: there is nothing to download. Widen the filters, or collect more data first." }
        : null;

  return (
    <Card title="Export a dataset" className="mt-6">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        <Field label="Format" htmlFor="export-format" hint={EXPORT_FORMAT_HELP[format]}>
          <Select id="export-format" value={format} onChange={(v) => setFormat(v as ExportFormat)} options={EXPORT_FORMATS} />
        </Field>
        <Field label="Project" htmlFor="export-project">
          <Select id="export-project" value={project} onChange={setProject} options={[{ value: "", label: "All projects" }, ...projects]} />
        </Field>
        <Field label="Split" htmlFor="export-split">
          <Select id="export-split" value={split} onChange={setSplit} options={[{ value: "", label: "Train and test" }, "train", "test"]} />
        </Field>
        <Field label="Min. agreement" htmlFor="export-agreement" hint="0–1; only items ranked by 2+ annotators">
          <input id="export-agreement" className={inputClass} inputMode="decimal" placeholder="any" value={minAgreement} onChange={(e) => setMinAgreement(e.target.value)} />
        </Field>
      </div>
      <div className="mt-3 flex flex-wrap gap-5 text-sm text-slate-700">
        {(
          [
            ["export-consensus", "One consensus record per item", consensus, setConsensus],
            ["export-weights", "Annotator weights", weights, setWeights],
            ["export-gold", "Include gold items", includeGold, setIncludeGold],
          ] as const
        ).map(([id, label, checked, set]) => (
          <label key={id} htmlFor={id} className="flex items-center gap-2">
            <input id={id} type="checkbox" checked={checked} onChange={(e) => set(e.target.checked)} className="h-4 w-4 accent-indigo-600" />
            {label}
          </label>
        ))}
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <Button onClick={startExport} disabled={running} data-testid="export-download">
          {running ? "Exporting…" : "Export JSONL"}
        </Button>
        {status?.status === "running" && (
          <Button variant="secondary" onClick={() => cancel.mutate({ id: status.id })} disabled={cancel.isPending} data-testid="export-cancel">
            Cancel
          </Button>
        )}
        {status?.status === "succeeded" && status.downloadUrl && status.records > 0 && (
          <a
            href={status.downloadUrl}
            download={`${status.format}.jsonl`}
            className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-1.5 text-sm font-medium text-emerald-800 hover:bg-emerald-100"
            data-testid="export-file"
          >
            Download {status.format}.jsonl · {formatCount(status.records)} records · {formatMegabytes(status.bytes)}
          </a>
        )}
      </div>
      {status?.status === "running" && (
        <div className="mt-3" data-testid="export-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(status.progress * 100)}>
          <div className="h-2 overflow-hidden rounded bg-slate-100">
            <div className="h-full bg-indigo-500 transition-[width]" style={{ width: `${Math.round(status.progress * 100)}%` }} />
          </div>
          <p className="mt-1 text-xs text-slate-500">
            Writing {formatCount(status.records)} records · {Math.round(status.progress * 100)}%. The file is kept for a few hours; you can leave this page.
          </p>
        </div>
      )}
      {status?.status === "cancelled" && <p className="mt-3 text-sm text-slate-600">Export cancelled; nothing was kept.</p>}
      {notice && (
        <p
          role={notice.tone === "error" ? "alert" : "status"}
          data-testid="export-notice"
          className={`mt-3 rounded-md px-3 py-2 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}
        >
          {notice.text}
        </p>
      )}
      <div className="mt-4 space-y-1 text-xs text-slate-500">
        <p>From a terminal or a script:</p>
        <code className="block truncate" data-testid="export-cli">
          npx rlhf export --format {format}
          {project ? ` --project "${project}"` : ""}
          {split ? ` --split ${split}` : ""}
          {minAgreement ? ` --min-agreement ${minAgreement}` : ""}
          {flags} --out {format}.jsonl
        </code>
        <code className="block truncate" data-testid="export-curl">
          curl -H &quot;Authorization: Bearer $RLHF_TOKEN&quot; &quot;{origin}/api/export?{query}&quot; -o {format}.jsonl
        </code>
      </div>
    </Card>
  );
}
