// A model's or a person's response exactly as it is stored and exported: plain text (never markdown, never HTML),
// every space and newline kept, so annotators judge the same text that trainers later read ("366." stays "366.").
// Guidelines are the one markdown on these pages (Markdown.tsx).

export function ResponseText({ text, className = "", testId }: { text: string; className?: string; testId?: string }) {
  return (
    <div className={`whitespace-pre-wrap break-words text-sm leading-relaxed text-slate-900 ${className}`} style={{ whiteSpace: "pre-wrap" }} data-testid={testId}>
      {text}
    </div>
  );
}
