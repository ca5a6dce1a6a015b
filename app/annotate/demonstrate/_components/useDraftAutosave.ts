"use client";
// Saves the demonstration draft a short while after the annotator stops typing, and reports the save state.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPCClient } from "~/app/_lib/trpc";

export type SaveState = "idle" | "saving" | "saved" | "error";

const DEBOUNCE_MS = 800;

export function useDraftAutosave(assignmentId: string, text: string, initialText: string, elapsedMs: () => number) {
  const client = useTRPCClient();
  const [saveState, setSaveState] = useState<SaveState>("idle");
  const lastSaved = useRef(initialText);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stopped = useRef(false);

  const cancel = useCallback(() => {
    stopped.current = true;
    if (timer.current) clearTimeout(timer.current);
  }, []);

  useEffect(() => {
    if (stopped.current || text === lastSaved.current) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      if (stopped.current) return;
      setSaveState("saving");
      try {
        await client.demonstrations.saveDraft.mutate({ assignmentId, text, timeMs: elapsedMs() });
        lastSaved.current = text;
        if (!stopped.current) setSaveState("saved");
      } catch {
        if (!stopped.current) setSaveState("error");
      }
    }, DEBOUNCE_MS);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [assignmentId, client, elapsedMs, text]);

  return { saveState, cancelAutosave: cancel, unsaved: text !== lastSaved.current };
}
