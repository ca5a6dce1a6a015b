"use client";
// Download a dataset export from the browser: pick a format and filters, and the link streams JSONL from
// /api/export with the signed-in session (the same records `rlhf export` writes). The filters are checked first
// (check=1): a bad one shows its error here and a filter that matches nothing says so, instead of saving either as a file.
import { useEffect, useMemo, useState, type MouseEvent } from "react";
import { Card, Field, inputClass, Select } from "~/app/_components/ui";
import { EXPORT_FORMAT_HELP, EXPORT_FORMATS, type ExportFormat } from "~/server/services/export-formats";

export function ExportPanel({ projects }: { projects: string[] }) {
  const [format, setFormat] = useState<ExportFormat>("trl-preference");
  const [project, setProject] = useState("");
  const [split, setSplit] = useState("");
  const [minAgreement, setMinAgreement] = useState("");
  const [notice, setNotice] = useState<{ tone: "error" | "empty"; text: string } | null>(null);
  const [checking, setChecking] = useState(false);
  // Label-quality options: one record per item, annotator weights, gold items included.
  const [consensus, setConsensus] = useState(false);
  const [weights, setWeights] = useState(false);
  const [includeGold, setIncludeGold] = useState(false);

  const href = useMemo(() => {
    const q = new URLSearchParams({ format });
    if (project) q.set("project", project);
    if (split) q.set("split", split);
    if (minAgreement) q.set("min_agreement", minAgreement);
    if (consensus) q.set("consensus", "1");
    if (weights) q.set("weights", "1");
    if (includeGold) q.set("include_gold", "1");
    return `/api/export?${q}`;
  }, [format, project, split, minAgreement, consensus, weights, includeGold]);
  const flags = `${consensus ? " --consensus" : ""}${weights ? " --weights" : ""}${includeGold ? " --include-gold" : ""}`;

  // A notice is about the filters it was given; new filters clear it.
  useEffect(() => setNotice(null), [href]);

  async function download(e: MouseEvent<HTMLAnchorElement>) {
    e.preventDefault();
    setNotice(null);
    setChecking(true);
    try {
      const res = await fetch(`${href}&check=1`, { headers: { accept: "application/json" } });
      const body = (await res.json().catch(() => null)) as { error?: string; empty?: boolean } | null;
      if (!res.ok) return setNotice({ tone: "error", text: body?.error ?? `The export failed (HTTP ${res.status}).` });
      if (body?.empty) return setNotice({ tone: "empty", text: "Nothing matched these filters: there is nothing to download. Widen the filters, or collect more data first." });
      // Checked: now the browser streams the file itself (no copy of it in this page's memory).
      const a = document.createElement("a");
      a.href = href;
      a.download = `${format}.jsonl`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch {
      setNotice({ tone: "error", text: "Could not reach the server to export; check the connection and try again." });
    } finally {
      setChecking(false);
    }
  }

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
      <div className="mt-4 flex items-center gap-3">
        <a
          href={href}
          download={`${format}.jsonl`}
          onClick={(e) => void download(e)}
          aria-disabled={checking}
          className={`rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 ${checking ? "opacity-60" : ""}`}
          data-testid="export-download"
        >
          {checking ? "Checking…" : "Download JSONL"}
        </a>
        <code className="truncate text-xs text-slate-500">npx rlhf export --format {format}{project ? ` --project "${project}"` : ""}{split ? ` --split ${split}` : ""}{minAgreement ? ` --min-agreement ${minAgreement}` : ""}{flags} --out {format}.jsonl</code>
      </div>
      {notice && (
        <p
          role={notice.tone === "error" ? "alert" : "status"}
          data-testid="export-notice"
          className={`mt-3 rounded-md px-3 py-2 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}
        >
          {notice.text}
        </p>
      )}
    </Card>
  );
}
