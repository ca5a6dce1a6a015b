"use client";
// One demonstration task: guidelines and prompt beside an editor; the draft autosaves, Ctrl/Cmd+Enter submits,
// Skip asks for a reason. Time spent counts from when the task was shown.
import { useCallback, useEffect, useRef, useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Markdown } from "~/app/_components/Markdown";
import { MarkdownEditor } from "~/app/_components/MarkdownEditor";
import { ReasonDialog } from "~/app/_components/ReasonDialog";
import { Button, Kbd } from "~/app/_components/ui";
import { useTRPCClient } from "~/app/_lib/trpc";
import { PromptCard } from "../../_components/PromptCard";
import { ShortcutHelp } from "../../_components/ShortcutHelp";
import type { DemonstrateTaskView } from "../../_components/task-types";
import { SaveIndicator } from "./SaveIndicator";
import { useDraftAutosave } from "./useDraftAutosave";

const SKIP_REASONS = ["The prompt is unclear", "I lack the expertise", "The prompt is harmful", "Duplicate prompt"];

export function DemonstrationTask({ task, onDone }: { task: DemonstrateTaskView; onDone: (message: string) => void }) {
  const client = useTRPCClient();
  const [text, setText] = useState(task.draft ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [askSkip, setAskSkip] = useState(false);
  const shownAt = useRef(Date.now());
  const elapsedMs = useCallback(() => Date.now() - shownAt.current, []);
  const { saveState, cancelAutosave, unsaved } = useDraftAutosave(task.assignmentId, text, task.draft ?? "", elapsedMs);

  const submit = useCallback(async () => {
    if (busy || !text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      cancelAutosave();
      await client.demonstrations.submit.mutate({ assignmentId: task.assignmentId, text, timeMs: elapsedMs() });
      onDone("Demonstration submitted.");
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }, [busy, cancelAutosave, client, elapsedMs, onDone, task.assignmentId, text]);

  const skip = useCallback(
    async (reason: string) => {
      setAskSkip(false);
      setBusy(true);
      setError(null);
      try {
        cancelAutosave();
        await client.tasks.skip.mutate({ assignmentId: task.assignmentId, reason });
        onDone("Task skipped.");
      } catch (err) {
        setError(err);
        setBusy(false);
      }
    },
    [cancelAutosave, client, onDone, task.assignmentId],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !askSkip) {
        e.preventDefault();
        void submit();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [askSkip, submit]);

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="min-w-0 space-y-4">
        <PromptCard prompt={task.prompt} messages={task.messages} />
        <section className="rounded-lg border border-slate-200 bg-white shadow-sm" aria-label="Guidelines">
          <div className="border-b border-slate-100 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Guidelines</div>
          <div className="max-h-80 overflow-y-auto px-4 py-3">
            {task.guidelines.trim() ? <Markdown text={task.guidelines} /> : <p className="text-sm text-slate-400">This project has no guidelines.</p>}
          </div>
        </section>
      </div>

      <div className="flex min-w-0 flex-col gap-3">
        <section className="flex flex-col rounded-lg border border-slate-200 bg-white shadow-sm focus-within:border-indigo-400">
          <MarkdownEditor value={text} onChange={setText} disabled={busy} previewAs="text" />
          <footer className="flex flex-wrap items-center gap-2 border-t border-slate-100 px-3 py-2">
            <SaveIndicator state={saveState} unsaved={unsaved} />
            <span className="text-xs text-slate-400">{text.length.toLocaleString("en-US")} characters</span>
            <div className="ml-auto flex gap-2">
              <Button variant="secondary" disabled={busy} onClick={() => setAskSkip(true)}>
                Skip…
              </Button>
              <Button disabled={busy || !text.trim()} onClick={() => void submit()} data-testid="submit-demonstration">
                {busy ? "Submitting…" : "Submit"}
              </Button>
            </div>
          </footer>
        </section>
        <ErrorBanner error={error} />
        <ShortcutHelp
          items={[
            { keys: <><Kbd>Ctrl</Kbd>/<Kbd>⌘</Kbd>+<Kbd>Enter</Kbd></>, label: "submit the response" },
            { keys: <Kbd>Esc</Kbd>, label: "close the skip dialog" },
          ]}
        />
      </div>

      {askSkip && (
        <ReasonDialog
          title="Skip this prompt"
          confirmLabel="Skip task"
          suggestions={SKIP_REASONS}
          busy={busy}
          onCancel={() => setAskSkip(false)}
          onConfirm={(reason) => void skip(reason)}
        />
      )}
    </div>
  );
}
