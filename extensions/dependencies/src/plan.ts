/**
 * From the graph's run plans (`downstream`, `upstream` of
 * @workbench/dependencies/graph: cell ids in run order) to what the
 * notebook runs, and the `reads_later` warnings worth a question first.
 * Pure.
 */
import { downstream, upstream, type DependencyGraph, type DependencyWarning } from '@workbench/dependencies/graph';

export type ReadsLater = Extract<DependencyWarning, { kind: 'reads_later' }>;

export type PlanKind = 'downstream' | 'upstream';

/** The plan's cell ids in run order; empty when the cell is not in the graph (not a code cell of the notebook's language). */
export function planOf(graph: DependencyGraph, cellId: string, kind: PlanKind): string[] {
  if (!graph.status[cellId]) return [];
  return kind === 'downstream' ? downstream(graph, cellId) : upstream(graph, cellId);
}

/** The notebook indexes of the plan's cells, in the plan's order; ids no longer in the notebook are left out. */
export function planIndexes(plan: readonly string[], notebookCellIds: readonly string[]): number[] {
  const index = new Map<string, number>();
  notebookCellIds.forEach((id, i) => index.has(id) || index.set(id, i));
  return plan.flatMap((id) => {
    const i = index.get(id);
    return i === undefined ? [] : [i];
  });
}

/** The cell's `reads_later` warnings: names it reads that only cells below it define. */
export function readsLaterOf(graph: DependencyGraph, cellId: string): ReadsLater[] {
  return graph.warnings.filter((w): w is ReadsLater => w.kind === 'reads_later' && w.cell === cellId);
}

/** The `reads_later` warnings of the plan's cells whose defining cell does not run before them in the plan. */
export function unmetReadsLater(graph: DependencyGraph, plan: readonly string[]): ReadsLater[] {
  const position = new Map(plan.map((id, i) => [id, i]));
  return graph.warnings.filter((w): w is ReadsLater => {
    if (w.kind !== 'reads_later') return false;
    const at = position.get(w.cell);
    if (at === undefined) return false;
    const definer = position.get(w.definedBy);
    return definer === undefined || definer > at;
  });
}
