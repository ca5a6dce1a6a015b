// The drag payload type for completions moved between cards, rank slots and the unranked pool.
export const DRAG_TYPE = "application/x-rlhf-completion";

/** The dragged completion id, from our own type or plain text (what synthetic drags carry). */
export function draggedId(e: { dataTransfer: DataTransfer }): string {
  return e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData("text/plain");
}
