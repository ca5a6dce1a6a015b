"use client";
// Asks for a short reason (skipping a task, or "cannot rank") before confirming.
import { useState } from "react";
import { Modal } from "./Modal";
import { Button, inputClass } from "./ui";

export function ReasonDialog({
  title,
  confirmLabel,
  suggestions = [],
  busy,
  onConfirm,
  onCancel,
}: {
  title: string;
  confirmLabel: string;
  suggestions?: string[];
  busy?: boolean;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  const trimmed = reason.trim();
  return (
    <Modal title={title} onClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (trimmed) onConfirm(trimmed);
        }}
        className="space-y-3"
      >
        {suggestions.length > 0 && (
          <div className="flex flex-wrap gap-1.5">
            {suggestions.map((s) => (
              <button
                key={s}
                type="button"
                onClick={() => setReason(s)}
                className="rounded-full border border-slate-300 px-2.5 py-0.5 text-xs text-slate-700 hover:bg-slate-100"
              >
                {s}
              </button>
            ))}
          </div>
        )}
        <label className="block text-sm font-medium text-slate-700" htmlFor="reason">
          Reason
        </label>
        <textarea
          id="reason"
          autoFocus
          rows={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className={inputClass}
          placeholder="Why?"
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={!trimmed || busy}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
