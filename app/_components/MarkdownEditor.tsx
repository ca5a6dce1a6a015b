"use client";
// A text area with Write / Preview tabs. The preview is sanitised markdown for guidelines; for a response it is the
// plain text exactly as stored and exported (previewAs="text").
import { useState, type KeyboardEvent } from "react";
import { Markdown } from "~/app/_components/Markdown";
import { ResponseText } from "~/app/_components/ResponseText";

export function MarkdownEditor({
  value,
  onChange,
  onKeyDown,
  disabled,
  label = "Your response",
  placeholder = "Write the ideal response to the prompt.",
  testId = "demonstration-text",
  autoFocus = true,
  minHeight = "min-h-72",
  previewAs = "markdown",
}: {
  value: string;
  onChange: (value: string) => void;
  onKeyDown?: (e: KeyboardEvent<HTMLTextAreaElement>) => void;
  disabled?: boolean;
  label?: string;
  placeholder?: string;
  testId?: string;
  autoFocus?: boolean;
  minHeight?: string;
  previewAs?: "markdown" | "text";
}) {
  const [tab, setTab] = useState<"write" | "preview">("write");
  const tabClass = (active: boolean) =>
    `px-3 py-1.5 text-sm font-medium border-b-2 -mb-px ${active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800"}`;
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex border-b border-slate-200" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "write"} className={tabClass(tab === "write")} onClick={() => setTab("write")}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={tab === "preview"} className={tabClass(tab === "preview")} onClick={() => setTab("preview")}>
          Preview
        </button>
      </div>
      {tab === "write" ? (
        <textarea
          aria-label={label}
          data-testid={testId}
          autoFocus={autoFocus}
          value={value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          className={`${minHeight} flex-1 resize-y rounded-b-md border-0 bg-white p-3 font-mono text-sm leading-relaxed text-slate-900 focus:outline-none focus:ring-0`}
        />
      ) : (
        <div className={`${minHeight} flex-1 overflow-y-auto p-3`} data-testid={`${testId}-preview`}>
          {!value.trim() ? (
            <p className="text-sm text-slate-400">Nothing to preview yet.</p>
          ) : previewAs === "text" ? (
            <ResponseText text={value} />
          ) : (
            <Markdown text={value} />
          )}
        </div>
      )}
    </div>
  );
}
