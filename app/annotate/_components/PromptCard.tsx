// The prompt of a task as plain text (never HTML), or as its chat turns when it has them (a conversation: each
// turn labelled with its role, assistant turns set apart like the responses they are).
import { ResponseText } from "~/app/_components/ResponseText";

export function PromptCard({ prompt, messages, label = "Prompt" }: { prompt: string; messages?: { role: string; content: string }[] | null; label?: string }) {
  const chat = messages && messages.length > 0;
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm" aria-label={label}>
      <div className="border-b border-slate-100 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {label}
        {chat && <span className="ml-2 font-normal normal-case tracking-normal text-slate-400">conversation, {messages.length} turns</span>}
      </div>
      {chat ? (
        // column-reverse opens a long conversation scrolled to its end: the last user turn is the one to answer.
        <div className="flex max-h-96 flex-col-reverse overflow-y-auto px-4 py-3 text-sm text-slate-900" data-testid="prompt-text">
          <div className="space-y-2">
            {messages.map((m, i) => (
              <div key={i} data-testid="prompt-turn" data-role={m.role} className={m.role === "assistant" ? "ml-6 rounded-md bg-slate-50 px-3 py-2" : m.role === "system" ? "italic text-slate-600" : ""}>
                <div className="text-[0.7rem] font-semibold uppercase tracking-wide text-slate-400">{m.role}</div>
                <ResponseText text={m.content} />
              </div>
            ))}
          </div>
        </div>
      ) : (
        <div className="max-h-48 overflow-y-auto px-4 py-3 text-sm text-slate-900" data-testid="prompt-text">
          <ResponseText text={prompt} />
        </div>
      )}
    </section>
  );
}
