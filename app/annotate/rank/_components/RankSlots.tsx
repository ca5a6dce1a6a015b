"use client";
// The ranking rail: one drop slot per rank (1 = best) plus the pool of completions not ranked yet.
import { useState, type DragEvent, type ReactNode } from "react";
import { DRAG_TYPE, draggedId } from "./drag";

export interface SlotItem {
  id: string;
  letter: string;
}

export function RankSlots({
  count,
  itemsAt,
  unrankedItems,
  allowTies,
  disabled,
  onDropAt,
  onDropUnranked,
}: {
  count: number;
  itemsAt: (rank: number) => SlotItem[];
  unrankedItems: SlotItem[];
  allowTies: boolean;
  disabled: boolean;
  onDropAt: (id: string, rank: number) => void;
  onDropUnranked: (id: string) => void;
}) {
  return (
    <div className="space-y-1.5">
      {Array.from({ length: count }, (_, i) => i + 1).map((rank) => (
        <DropZone key={rank} testId={`rank-slot-${rank}`} disabled={disabled} onDropId={(id) => onDropAt(id, rank)}>
          <span className="w-12 shrink-0 text-xs font-semibold text-slate-500">
            {rank}
            <span className="block text-[0.65rem] font-normal">{rank === 1 ? "best" : rank === count ? "worst" : ""}</span>
          </span>
          <Chips items={itemsAt(rank)} empty={allowTies ? "drop here (ties allowed)" : "drop here"} />
        </DropZone>
      ))}
      <DropZone testId="rank-slot-unranked" disabled={disabled} onDropId={onDropUnranked} muted>
        <span className="w-12 shrink-0 text-xs font-semibold text-slate-500">Not ranked</span>
        <Chips items={unrankedItems} empty="all ranked ✓" />
      </DropZone>
    </div>
  );
}

function DropZone({
  testId,
  disabled,
  muted,
  onDropId,
  children,
}: {
  testId: string;
  disabled: boolean;
  muted?: boolean;
  onDropId: (id: string) => void;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  const allow = (e: DragEvent) => {
    if (disabled) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    setOver(true);
  };
  return (
    <div
      data-testid={testId}
      onDragEnter={allow}
      onDragOver={allow}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = draggedId(e);
        if (id && !disabled) onDropId(id);
      }}
      className={`flex min-h-11 items-center gap-2 rounded-md border border-dashed px-2 py-1.5 transition ${
        over ? "border-indigo-500 bg-indigo-50" : muted ? "border-slate-200 bg-slate-50" : "border-slate-300 bg-white"
      }`}
    >
      {children}
    </div>
  );
}

function Chips({ items, empty }: { items: SlotItem[]; empty: string }) {
  if (items.length === 0) return <span className="text-xs text-slate-400">{empty}</span>;
  return (
    <div className="flex flex-wrap gap-1">
      {items.map((item) => (
        <span
          key={item.id}
          draggable
          data-testid={`chip-${item.letter}`}
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_TYPE, item.id);
            e.dataTransfer.setData("text/plain", item.id);
          }}
          className="grid h-7 w-7 cursor-grab place-items-center rounded bg-slate-800 text-xs font-bold text-white shadow-sm"
        >
          {item.letter}
        </span>
      ))}
    </div>
  );
}
