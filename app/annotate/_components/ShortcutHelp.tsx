// A compact, always-visible list of the keyboard shortcuts of a task page.
import type { ReactNode } from "react";
import { Kbd } from "~/app/_components/ui";

export function ShortcutHelp({ items }: { items: { keys: ReactNode; label: string }[] }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2.5 text-xs text-slate-600" aria-label="Keyboard shortcuts">
      <div className="mb-1.5 font-semibold text-slate-700">Keyboard shortcuts</div>
      <ul className="space-y-1">
        {items.map((item) => (
          <li key={item.label} className="flex items-center justify-between gap-2">
            <span className="flex flex-wrap gap-0.5">{item.keys}</span>
            <span className="text-right">{item.label}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export { Kbd };
