// Shows whether the draft is saved, being saved, or failed to save.
import type { SaveState } from "./useDraftAutosave";

export function SaveIndicator({ state, unsaved }: { state: SaveState; unsaved: boolean }) {
  const view =
    state === "saving"
      ? { text: "Saving…", cls: "text-slate-500" }
      : state === "error"
        ? { text: "Draft not saved, retrying as you type", cls: "text-red-600" }
        : unsaved
          ? { text: "Unsaved changes", cls: "text-slate-400" }
          : state === "saved"
            ? { text: "✓ Draft saved", cls: "text-emerald-600" }
            : { text: "Drafts save automatically", cls: "text-slate-400" };
  return (
    <span className={`text-xs ${view.cls}`} data-testid="save-indicator" data-state={unsaved && state !== "saving" ? "unsaved" : state}>
      {view.text}
    </span>
  );
}
