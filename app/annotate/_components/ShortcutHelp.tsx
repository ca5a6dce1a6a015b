// A compact, always-visible list of the keyboard shortcuts of a task page.
import { Fragment, type ReactNode } from "react";

export function ShortcutHelp({ items }: { items: { keys: ReactNode; label: string }[] }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2.5 text-xs text-slate-600" aria-label="Keyboard shortcuts">
      <div className="mb-1.5 font-semibold text-slate-700">Keyboard shortcuts</div>
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-3 gap-y-1.5">
        {items.map((item) => (
          <Fragment key={item.label}>
            <dt className="flex items-center gap-0.5 whitespace-nowrap">{item.keys}</dt>
            <dd>{item.label}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
