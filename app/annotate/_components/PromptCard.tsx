// The prompt of a task as plain text (never HTML), or as its chat turns when it has them.

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
