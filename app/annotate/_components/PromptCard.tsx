// The prompt of a task as plain text (never HTML), or as its chat turns when it has them (a conversation: each
// turn labelled with its role, assistant turns set apart like the responses they are).
import { ResponseText } from "~/app/_components/ResponseText";

export function PromptCard({ prompt, messages, label = "Prompt" }: { prompt: string; messages?: { role: string; content: string }[] | null; label?: string }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" aria-label={label}>
      <div className="border-b border-slate-100 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</div>
      <div className="max-h-48 space-y-2 overflow-y-auto px-4 py-3 text-sm text-slate-900" data-testid="prompt-text">
        {messages && messages.length > 0 ? (
          messages.map((m, i) => (
            <div key={i} data-testid="prompt-turn" data-role={m.role} className={m.role === "assistant" ? "ml-6 rounded-md bg-slate-50 px-3 py-2" : m.role === "system" ? "italic text-slate-600" : ""}>
              <div className="text-[0.7rem] font-semibold uppercase tracking-wide text-slate-400">{m.role}</div>
              <ResponseText text={m.content} />
            </div>
          ))
        ) : (
          <ResponseText text={prompt} />
        )}
      </div>
    </section>
  );
}
