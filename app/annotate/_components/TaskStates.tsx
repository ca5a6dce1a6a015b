// The non-task states of an annotation page: loading, no more tasks, and a failed load with a retry.
import Link from "next/link";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, EmptyState, Loading } from "~/app/_components/ui";

export function TaskLoading() {
  return <Loading label="Loading the next task…" />;
}

export function NoMoreTasks({ what }: { what: string }) {
  return (
    <EmptyState title="No more tasks">
      <p>There are no {what} waiting for you in this project right now.</p>
      <p className="mt-4">
        <Link href="/annotate" className="font-medium text-indigo-600 hover:underline">
          Back to my tasks
        </Link>
      </p>
    </EmptyState>
  );
}

export function TaskLoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="space-y-3">
      <ErrorBanner error={error} />
      <Button variant="secondary" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

export function PromptCard({ prompt, messages, label = "Prompt" }: { prompt: string; messages?: { role: string; content: string }[] | null; label?: string }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" aria-label={label}>
      <div className="border-b border-slate-100 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</div>
      <div className="max-h-48 space-y-2 overflow-y-auto px-4 py-3 text-sm text-slate-900" data-testid="prompt-text">
        {messages && messages.length > 0 ? (
          messages.map((m, i) => (
            <div key={i}>
              <div className="text-[0.7rem] font-semibold uppercase tracking-wide text-slate-400">{m.role}</div>
              <div className="whitespace-pre-wrap break-words">{m.content}</div>
            </div>
          ))
        ) : (
          <div className="whitespace-pre-wrap break-words">{prompt}</div>
        )}
      </div>
    </section>
  );
}
