"use client";
// The last lines of a run's log, newest at the bottom, kept scrolled to the end while new lines arrive.
import { useEffect, useRef } from "react";

interface Line {
  id: number;
  at: Date;
  level: "info" | "warn" | "error";
  message: string;
}

const LEVEL_CLASS = { info: "text-slate-200", warn: "text-amber-300", error: "text-red-300" };

export function LogTail({ lines }: { lines: Line[] }) {
  const ref = useRef<HTMLPreElement>(null);
  const lastId = lines[lines.length - 1]?.id;
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastId]);
  if (!lines.length) return <p className="text-sm text-slate-500">No log lines yet.</p>;
  return (
    <pre ref={ref} data-testid="run-log" className="max-h-72 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed">
      {lines.map((l) => (
        <div key={l.id} className={LEVEL_CLASS[l.level]}>
          <span className="select-none text-slate-500">{new Date(l.at).toLocaleTimeString("en-GB", { hour12: false })} </span>
          {l.message}
        </div>
      ))}
    </pre>
  );
}
