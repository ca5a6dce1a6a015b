// Orders models as a lineage tree (each parent followed by its children, depth-first) for an indented table.

interface Node {
  id: string;
  parentId: string | null;
  createdAt: Date | string;
}

/** Rows depth-first with their depth; models whose parent is unknown count as roots. Oldest first at each level. */
export function lineageOrder<T extends Node>(models: T[]): { model: T; depth: number }[] {
  const ids = new Set(models.map((m) => m.id));
  const children = new Map<string | null, T[]>();
  for (const m of models) {
    const parent = m.parentId && ids.has(m.parentId) && m.parentId !== m.id ? m.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), m]);
  }
  for (const list of children.values()) list.sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
  const out: { model: T; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const m of children.get(parent) ?? []) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push({ model: m, depth });
      visit(m.id, depth + 1);
    }
  };
  visit(null, 0);
  // A parent cycle leaves models unreached; list them at the top level rather than hide them.
  for (const m of models) if (!seen.has(m.id)) out.push({ model: m, depth: 0 });
  return out;
}
