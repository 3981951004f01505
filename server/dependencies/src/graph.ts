/**
 * The dependency graph of a notebook's cells, marimo-style (issue 17, PRD
 * NB-006; https://docs.marimo.io/guides/reactivity/): pure, no I/O, free of
 * Node APIs so the JupyterLab extension can import it
 * (`@workbench/dependencies/graph`).
 *
 * - Edges: cell B depends on cell A when B reads a name A defines. The
 *   latest definer above B wins (a notebook run top to bottom sees that
 *   one); when only cells below B define it, B depends on the nearest of
 *   them and a `reads_later` warning says so.
 * - A name two or more cells define from scratch (without reading it, as
 *   `x = 1`, `CREATE TABLE t`) is `multiply_defined`: which one a reader
 *   sees depends on run order. Cells that change a name (`df = df[...]`,
 *   `INSERT INTO t`) read it too and are a chain, not a conflict.
 * - Stale: a cell whose source changed since it ran, whose last run failed,
 *   that ran before one of its upstream cells last ran, whose upstream cell
 *   never ran, or whose upstream cell is stale (transitively).
 * - Plans: `downstream` (the cell and everything depending on it) and
 *   `upstream` (what the cell needs that is not fresh, then the cell), in
 *   run order: notebook order, except that a cell comes after a cell below
 *   it that it reads from.
 *
 * Variables are per language (a Python `df` is not a TypeScript `df`);
 * names with a `:` (tables, parameters, checks) are shared.
 */
import { isSharedName } from './names';
import type { CellLanguage, ExecutionRecord, NameAnalysis } from './types';

export interface GraphCell {
  id: string;
  language: CellLanguage;
  /** `hashSource` of the cell's current source. */
  sourceHash: string;
  /** Absent: not analysed yet (the cell has no edges). */
  analysis?: NameAnalysis;
  execution?: ExecutionRecord;
}

export interface GraphOptions {
  /** The running kernel's session (ExecutionRecord.kernelSession): runs of other kernel processes count as never run. */
  kernelSession?: string;
}

/** `to` reads `names` that `from` defines. */
export interface DependencyEdge {
  from: string;
  to: string;
  names: string[];
  /** `from` is below `to` in the notebook. */
  later?: true;
}

export type DependencyWarning =
  | { kind: 'multiply_defined'; name: string; cells: string[] }
  | { kind: 'reads_later'; cell: string; name: string; definedBy: string }
  | { kind: 'cycle'; cells: string[] };

export type CellState = 'fresh' | 'stale' | 'never_run';

export type StaleReason =
  | { kind: 'edited' }
  | { kind: 'failed' }
  | { kind: 'upstream_ran_later'; cell: string }
  | { kind: 'upstream_stale'; cell: string }
  | { kind: 'upstream_not_run'; cell: string };

export interface CellStatus {
  state: CellState;
  /** Why a cell is stale (empty otherwise). */
  reasons: StaleReason[];
}

export interface DependencyGraph {
  /** Cell ids in notebook order. */
  cells: string[];
  /** Cell ids in run order (see above). */
  order: string[];
  edges: DependencyEdge[];
  status: Record<string, CellStatus>;
  /** Stale cells, in notebook order. */
  stale: string[];
  warnings: DependencyWarning[];
}

const keyOf = (language: CellLanguage, name: string): string => (isSharedName(name) ? name : `${language}\u0000${name}`);

/** Min-heap of cell indexes. */
class IndexHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** Kahn's order, the smallest index first among the ready; a cycle is entered at its first cell. */
function runOrder(n: number, parents: number[][], children: number[][]): number[] {
  const indegree = parents.map((p) => p.length);
  const done = new Array<boolean>(n).fill(false);
  const heap = new IndexHeap();
  indegree.forEach((d, i) => d === 0 && heap.push(i));
  const order: number[] = [];
  let next = 0;
  while (order.length < n) {
    if (!heap.size) {
      while (done[next]) next++;
      heap.push(next);
      indegree[next] = 0;
    }
    const i = heap.pop();
    if (done[i]) continue;
    done[i] = true;
    order.push(i);
    for (const c of children[i]!) if (!done[c] && --indegree[c]! <= 0) heap.push(c);
  }
  return order;
}

/** Strongly connected components of more than one cell (Tarjan, iterative). */
function cycles(n: number, children: number[][]): number[][] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length) {
      const frame = work[work.length - 1]!;
      const [v, k] = frame;
      if (k === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      const kids = children[v]!;
      if (k < kids.length) {
        frame[1]++;
        const w = kids[k]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const scc: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) out.push(scc.sort((a, b) => a - b));
      }
    }
  }
  return out.sort((a, b) => a[0]! - b[0]!);
}

function ranLater(a: ExecutionRecord, b: ExecutionRecord): boolean {
  const ta = Date.parse(a.ranAt);
  const tb = Date.parse(b.ranAt);
  if (ta !== tb) return ta > tb;
  return a.executionCount !== null && b.executionCount !== null && a.executionCount > b.executionCount;
}

export function buildGraph(cells: readonly GraphCell[], options: GraphOptions = {}): DependencyGraph {
  const n = cells.length;
  const ids = cells.map((c) => c.id);
  if (new Set(ids).size !== n) throw new RangeError('Cannot build the dependency graph: two cells have the same id');

  // Who defines each name, and who defines it from scratch.
  const definers = new Map<string, number[]>();
  const fresh = new Map<string, { name: string; cells: number[] }>();
  cells.forEach((c, i) => {
    const reads = new Set(c.analysis?.reads ?? []);
    for (const name of new Set(c.analysis?.defines ?? [])) {
      const k = keyOf(c.language, name);
      (definers.get(k) ?? definers.set(k, []).get(k)!).push(i);
      if (!reads.has(name)) (fresh.get(k) ?? fresh.set(k, { name, cells: [] }).get(k)!).cells.push(i);
    }
  });

  const warnings: DependencyWarning[] = [];
  for (const { name, cells: where } of fresh.values()) if (where.length > 1) warnings.push({ kind: 'multiply_defined', name, cells: where.map((i) => ids[i]!) });

  const edgeMap = new Map<string, DependencyEdge & { fromIndex: number; toIndex: number }>();
  cells.forEach((c, j) => {
    for (const name of [...new Set(c.analysis?.reads ?? [])].sort()) {
      const ds = (definers.get(keyOf(c.language, name)) ?? []).filter((i) => i !== j);
      if (!ds.length) continue;
      const above = ds.filter((i) => i < j);
      const from = above.length ? above[above.length - 1]! : ds[0]!;
      if (!above.length) warnings.push({ kind: 'reads_later', cell: c.id, name, definedBy: ids[from]! });
      const k = `${from}\u0000${j}`;
      const e = edgeMap.get(k) ?? edgeMap.set(k, { from: ids[from]!, to: c.id, names: [], ...(from > j ? { later: true as const } : {}), fromIndex: from, toIndex: j }).get(k)!;
      e.names.push(name);
    }
  });
  const edgeList = [...edgeMap.values()].sort((a, b) => a.toIndex - b.toIndex || a.fromIndex - b.fromIndex);
  const parents: number[][] = cells.map(() => []);
  const children: number[][] = cells.map(() => []);
  for (const e of edgeList) {
    parents[e.toIndex]!.push(e.fromIndex);
    children[e.fromIndex]!.push(e.toIndex);
  }
  for (const scc of cycles(n, children)) warnings.push({ kind: 'cycle', cells: scc.map((i) => ids[i]!) });

  const order = runOrder(n, parents, children);

  // Staleness, in run order; a cycle may need another pass (states only ever turn stale).
  const run = cells.map((c) => (c.execution && (options.kernelSession === undefined || c.execution.kernelSession === options.kernelSession) ? c.execution : undefined));
  const status: CellStatus[] = cells.map((_, i) => ({ state: run[i] ? 'fresh' : 'never_run', reasons: [] }));
  for (let pass = 0, changed = true; changed && pass <= n; pass++) {
    changed = false;
    for (const i of order) {
      const r = run[i];
      if (!r) continue;
      const reasons: StaleReason[] = [];
      if (r.sourceHash !== cells[i]!.sourceHash) reasons.push({ kind: 'edited' });
      if (r.failed) reasons.push({ kind: 'failed' });
      for (const p of parents[i]!) {
        const rp = run[p];
        if (status[p]!.state === 'stale') reasons.push({ kind: 'upstream_stale', cell: ids[p]! });
        else if (!rp) reasons.push({ kind: 'upstream_not_run', cell: ids[p]! });
        else if (ranLater(rp, r)) reasons.push({ kind: 'upstream_ran_later', cell: ids[p]! });
      }
      const state: CellState = reasons.length ? 'stale' : 'fresh';
      if (state !== status[i]!.state || reasons.length !== status[i]!.reasons.length) changed = true;
      status[i] = { state, reasons };
    }
  }

  return {
    cells: ids,
    order: order.map((i) => ids[i]!),
    edges: edgeList.map(({ fromIndex: _f, toIndex: _t, ...e }) => e),
    status: Object.fromEntries(ids.map((id, i) => [id, status[i]!])),
    stale: ids.filter((_, i) => status[i]!.state === 'stale'),
    warnings,
  };
}

function reach(graph: DependencyGraph, cellId: string, direction: 'down' | 'up'): Set<string> {
  if (!graph.status[cellId]) throw new RangeError(`Cannot plan the run: there is no cell ${cellId} in this notebook`);
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    const [a, b] = direction === 'down' ? [e.from, e.to] : [e.to, e.from];
    (next.get(a) ?? next.set(a, []).get(a)!).push(b);
  }
  const seen = new Set([cellId]);
  const queue = [cellId];
  while (queue.length) for (const m of next.get(queue.shift()!) ?? []) if (!seen.has(m)) (seen.add(m), queue.push(m));
  return seen;
}

/** "Run this cell and everything downstream": the cell and every cell depending on it, transitively, in run order. */
export function downstream(graph: DependencyGraph, cellId: string): string[] {
  const cells = reach(graph, cellId, 'down');
  return graph.order.filter((id) => cells.has(id));
}

/** "Run what this cell needs": its upstream cells, transitively, that are stale or never ran, in run order; then the cell. */
export function upstream(graph: DependencyGraph, cellId: string): string[] {
  const cells = reach(graph, cellId, 'up');
  return [...graph.order.filter((id) => id !== cellId && cells.has(id) && graph.status[id]!.state !== 'fresh'), cellId];
}
