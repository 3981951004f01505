/**
 * The graph in words, per cell: its state, why it is stale, its warnings.
 * Cells are named by `label` (the extension says "cell 3", by position in
 * the notebook, as JupyterLab's status bar counts them). Pure.
 */
import type { ReadsLater } from './plan';
import type { CellState, DependencyGraph, StaleReason } from './types';

export type WarningKind = 'reads_later' | 'multiply_defined' | 'cycle';

export interface CellWarning {
  kind: WarningKind;
  text: string;
}

export interface CellDescription {
  /** `none`: the cell is not in the graph (not a code cell of the notebook's language). */
  state: CellState | 'none';
  /** Why it is stale, a sentence per reason. */
  staleReasons: string[];
  /** The kinds of those reasons, in the same order. */
  reasonKinds: StaleReason['kind'][];
  /** It never ran in this kernel, yet cells reading its names did (they are stale for it): a sentence, else null. */
  notRunButNeeded: string | null;
  warnings: CellWarning[];
}

export type CellLabel = (cellId: string) => string;

/** "a", "a and b", "a, b and c", "a, b, c and 2 more". */
export function nameList(names: readonly string[], max = 3): string {
  if (names.length === 0) return '';
  if (names.length === 1) return names[0]!;
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function edgeNames(graph: DependencyGraph, from: string, to: string): string[] {
  return graph.edges.find((e) => e.from === from && e.to === to)?.names ?? [];
}

/** One stale reason of `cellId` as a sentence. */
export function reasonText(graph: DependencyGraph, cellId: string, reason: StaleReason, label: CellLabel): string {
  switch (reason.kind) {
    case 'edited':
      return 'Edited since it last ran';
    case 'failed':
      return 'Its last run failed';
    default: {
      const names = nameList(edgeNames(graph, reason.cell, cellId));
      const reads = names ? `Reads ${names} from ${label(reason.cell)}` : capitalize(label(reason.cell));
      const what = reason.kind === 'upstream_ran_later' ? 'ran again after this cell' : reason.kind === 'upstream_stale' ? 'is stale' : 'has not run';
      return names ? `${reads}, which ${what}` : `${reads} ${what}`;
    }
  }
}

export function describeCell(graph: DependencyGraph, cellId: string, label: CellLabel): CellDescription {
  const status = graph.status[cellId];
  if (!status) return { state: 'none', staleReasons: [], reasonKinds: [], notRunButNeeded: null, warnings: [] };
  const staleReasons = status.reasons.map((r) => reasonText(graph, cellId, r, label));
  let notRunButNeeded: string | null = null;
  if (status.state === 'never_run') {
    const waiting = graph.cells.filter((id) => graph.status[id]!.reasons.some((r) => r.kind === 'upstream_not_run' && r.cell === cellId));
    if (waiting.length) notRunButNeeded = `Not run in this kernel, while ${nameList(waiting.map(label))} ${waiting.length === 1 ? 'reads' : 'read'} its names and ran`;
  }
  const warnings: CellWarning[] = [];
  for (const w of graph.warnings) {
    if (w.kind === 'reads_later' && w.cell === cellId) {
      warnings.push({ kind: 'reads_later', text: `Reads ${w.name}, which only ${label(w.definedBy)} below defines` });
    } else if (w.kind === 'multiply_defined' && w.cells.includes(cellId)) {
      const others = w.cells.filter((id) => id !== cellId).map(label);
      warnings.push({ kind: 'multiply_defined', text: `${w.name} is also defined by ${nameList(others)}: what reads it depends on which ran last` });
    } else if (w.kind === 'cycle' && w.cells.includes(cellId)) {
      warnings.push({ kind: 'cycle', text: `In a cycle with ${nameList(w.cells.filter((id) => id !== cellId).map(label))}: they read each other's names` });
    }
  }
  return { state: status.state, staleReasons, reasonKinds: status.reasons.map((r) => r.kind), notRunButNeeded, warnings };
}

/** Upstream (what the cell reads from, transitively) or downstream cells (what reads it), in run order, with the names of direct edges. */
export function relatedCells(graph: DependencyGraph, cellId: string, direction: 'upstream' | 'downstream'): { id: string; names: string[]; direct: boolean }[] {
  if (!graph.status[cellId]) return [];
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    const [a, b] = direction === 'downstream' ? [e.from, e.to] : [e.to, e.from];
    (next.get(a) ?? next.set(a, []).get(a)!).push(b);
  }
  const seen = new Set([cellId]);
  const queue = [cellId];
  while (queue.length) for (const m of next.get(queue.shift()!) ?? []) if (!seen.has(m)) (seen.add(m), queue.push(m));
  seen.delete(cellId);
  return graph.order
    .filter((id) => seen.has(id))
    .map((id) => {
      const edge = graph.edges.find((e) => (direction === 'upstream' ? e.from === id && e.to === cellId : e.from === cellId && e.to === id));
      return { id, names: edge?.names ?? [], direct: edge !== undefined };
    });
}

/** The question before running a cell that reads a later cell's name: a sentence per warning, saying whether the defining cell ran. */
export function readsLaterLines(graph: DependencyGraph, warnings: readonly ReadsLater[], label: CellLabel): string[] {
  return warnings.map((w) => {
    const state = graph.status[w.definedBy]?.state;
    const ran = state === 'fresh' ? 'it ran, so the value is from that run' : state === 'stale' ? 'it is stale' : 'it has not run in this kernel';
    const who = label(w.cell);
    return `${who.charAt(0).toUpperCase()}${who.slice(1)} reads ${w.name}, which only ${label(w.definedBy)} below defines (${ran}).`;
  });
}

