/** The dependency graph: edges, stale cells, warnings and run plans. Pure: no kernels, hand-made analyses. */
import { buildGraph, downstream, upstream, type GraphCell } from './graph';
import type { CellLanguage, ExecutionRecord } from './types';

const h = (c: string) => c.repeat(64).slice(0, 64);
let clock = 0;
/** A run at a later time than every run made before it. */
function ran(sourceHash: string, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  clock += 1000;
  return { executionCount: clock / 1000, sourceHash, ranAt: new Date(Date.UTC(2026, 9, 31, 9) + clock).toISOString(), ...extra };
}
function cell(id: string, defines: string[], reads: string[], language: CellLanguage = 'python'): GraphCell {
  return { id, language, sourceHash: h(id), analysis: { defines, reads } };
}

/**
 *   load:   df = load(path)          (reads path: defined by nobody)
 *   clean:  df = df[df.ok]           (changes df)
 *   stats:  s = df.describe()
 *   plot:   plot(s, df)
 *   other:  x = 1
 */
function pipeline(): GraphCell[] {
  return [cell('load', ['df'], ['path']), cell('clean', ['df'], ['df']), cell('stats', ['s'], ['df']), cell('plot', [], ['df', 's']), cell('other', ['x'], [])];
}

function runAll(cells: GraphCell[], ids = cells.map((c) => c.id)): GraphCell[] {
  const byId = new Map(cells.map((c) => [c.id, c]));
  for (const id of ids) byId.get(id)!.execution = ran(byId.get(id)!.sourceHash);
  return cells;
}

describe('buildGraph: edges', () => {
  it('a reader depends on the latest definer above it', () => {
    const g = buildGraph(pipeline());
    expect(g.edges).toEqual([
      { from: 'load', to: 'clean', names: ['df'] },
      { from: 'clean', to: 'stats', names: ['df'] },
      { from: 'clean', to: 'plot', names: ['df'] },
      { from: 'stats', to: 'plot', names: ['s'] },
    ]);
    expect(g.order).toEqual(['load', 'clean', 'stats', 'plot', 'other']);
    expect(g.warnings).toEqual([]);
  });

  it('variables are per language; tables, parameters and checks are shared', () => {
    const g = buildGraph([
      cell('sql', ['table:sales'], ['param:month'], 'sql'),
      cell('py', ['total', 'df'], ['table:sales']),
      cell('ts', ['x'], ['total'], 'typescript'),
      cell('params', ['param:month'], [], 'sql'),
    ]);
    expect(g.edges).toEqual([
      { from: 'params', to: 'sql', names: ['param:month'], later: true },
      { from: 'sql', to: 'py', names: ['table:sales'] },
    ]);
    expect(g.warnings).toEqual([{ kind: 'reads_later', cell: 'sql', name: 'param:month', definedBy: 'params' }]);
  });

  it('a name two cells define from scratch is multiply_defined; a chain of changes is not', () => {
    const g = buildGraph([cell('a', ['x', 'df'], []), cell('b', ['df'], ['df']), cell('c', ['x'], []), cell('d', [], ['x'])]);
    expect(g.warnings).toEqual([{ kind: 'multiply_defined', name: 'x', cells: ['a', 'c'] }]);
    expect(g.edges.find((e) => e.to === 'd')).toEqual({ from: 'c', to: 'd', names: ['x'] });
  });

  it('reads_later: a name only a later cell defines; the plan runs that cell first', () => {
    const cells = [cell('report', [], ['summary']), cell('compute', ['summary'], ['data']), cell('data', ['data'], [])];
    const g = buildGraph(cells);
    expect(g.warnings).toEqual([
      { kind: 'reads_later', cell: 'report', name: 'summary', definedBy: 'compute' },
      { kind: 'reads_later', cell: 'compute', name: 'data', definedBy: 'data' },
    ]);
    expect(g.order).toEqual(['data', 'compute', 'report']);
    expect(upstream(g, 'report')).toEqual(['data', 'compute', 'report']);
  });

  it('a cycle is reported and still ordered (entered at its first cell)', () => {
    const g = buildGraph([cell('a', ['x'], ['y']), cell('b', ['y'], ['x']), cell('c', [], ['y'])]);
    expect(g.warnings).toContainEqual({ kind: 'cycle', cells: ['a', 'b'] });
    expect(g.order).toEqual(['a', 'b', 'c']);
    expect(downstream(g, 'b')).toEqual(['a', 'b', 'c']);
  });

  it('refuses two cells with one id', () => {
    expect(() => buildGraph([cell('a', [], []), cell('a', [], [])])).toThrow('Cannot build the dependency graph: two cells have the same id');
  });
});

describe('buildGraph: stale cells', () => {
  it('all run in order: nothing is stale; never run cells are never_run', () => {
    const cells = runAll(pipeline(), ['load', 'clean', 'stats', 'plot']);
    const g = buildGraph(cells);
    expect(g.stale).toEqual([]);
    expect(g.status.plot).toEqual({ state: 'fresh', reasons: [] });
    expect(g.status.other).toEqual({ state: 'never_run', reasons: [] });
  });

  it('after an edit: the edited cell and everything downstream of it, transitively', () => {
    const cells = runAll(pipeline());
    cells[1]!.sourceHash = h('z'); // clean edited
    const g = buildGraph(cells);
    expect(g.stale).toEqual(['clean', 'stats', 'plot']);
    expect(g.status.clean!.reasons).toEqual([{ kind: 'edited' }]);
    expect(g.status.stats!.reasons).toEqual([{ kind: 'upstream_stale', cell: 'clean' }]);
    expect(g.status.plot!.reasons).toEqual([
      { kind: 'upstream_stale', cell: 'clean' },
      { kind: 'upstream_stale', cell: 'stats' },
    ]);
  });

  it('after an out-of-order run: cells that ran before an upstream cell ran again', () => {
    const cells = runAll(pipeline());
    cells[0]!.execution = ran(cells[0]!.sourceHash); // load re-run after everything
    const g = buildGraph(cells);
    expect(g.stale).toEqual(['clean', 'stats', 'plot']);
    expect(g.status.clean!.reasons).toEqual([{ kind: 'upstream_ran_later', cell: 'load' }]);
    expect(g.status.load!.state).toBe('fresh');
    // Running what is stale, in order, makes the notebook fresh again.
    for (const id of downstream(g, 'load').slice(1)) cells.find((c) => c.id === id)!.execution = ran(h(id));
    expect(buildGraph(cells).stale).toEqual([]);
  });

  it('a reader run before its upstream cell ever ran, and a failed run, are stale', () => {
    const cells = pipeline();
    runAll(cells, ['stats', 'load', 'clean']); // stats first: it ran on some older df
    cells[4]!.execution = ran(h('other'), { failed: true });
    const g = buildGraph(cells);
    expect(g.status.stats!.reasons).toEqual([{ kind: 'upstream_ran_later', cell: 'clean' }]);
    expect(g.status.other!.reasons).toEqual([{ kind: 'failed' }]);
    expect(g.stale).toEqual(['stats', 'other']);
  });

  it('a cell run while its upstream cell has not run in this kernel is stale', () => {
    const cells = runAll(pipeline(), ['load', 'clean']);
    cells[0]!.execution = undefined;
    expect(buildGraph(cells).status.clean!.reasons).toEqual([{ kind: 'upstream_not_run', cell: 'load' }]);
  });

  it('with kernelSession, runs of an earlier kernel process count as never run', () => {
    const cells = runAll(pipeline());
    for (const c of cells) c.execution = { ...c.execution!, kernelSession: 'k1' };
    cells[0]!.execution = ran(cells[0]!.sourceHash, { kernelSession: 'k2' }); // restarted, only load ran since
    const g = buildGraph(cells, { kernelSession: 'k2' });
    expect(g.status.load!.state).toBe('fresh');
    expect(['clean', 'stats', 'plot', 'other'].map((id) => g.status[id]!.state)).toEqual(['never_run', 'never_run', 'never_run', 'never_run']);
    expect(upstream(g, 'plot')).toEqual(['clean', 'stats', 'plot']);
  });
});

describe('plans', () => {
  it('downstream: the cell and everything depending on it, in run order', () => {
    const g = buildGraph(runAll(pipeline()));
    expect(downstream(g, 'clean')).toEqual(['clean', 'stats', 'plot']);
    expect(downstream(g, 'plot')).toEqual(['plot']);
    expect(downstream(g, 'other')).toEqual(['other']);
  });

  it('upstream: what the cell needs that is stale or never ran, then the cell', () => {
    const cells = pipeline();
    expect(upstream(buildGraph(cells), 'plot')).toEqual(['load', 'clean', 'stats', 'plot']);
    runAll(cells);
    expect(upstream(buildGraph(cells), 'plot')).toEqual(['plot']);
    cells[1]!.sourceHash = h('y');
    expect(upstream(buildGraph(cells), 'plot')).toEqual(['clean', 'stats', 'plot']);
  });

  it('an unknown cell is refused', () => {
    expect(() => downstream(buildGraph(pipeline()), 'nope')).toThrow('Cannot plan the run: there is no cell nope in this notebook');
  });

  it('scales to a long notebook', () => {
    const cells = Array.from({ length: 3000 }, (_, i) => cell(`c${i}`, [`v${i}`], i ? [`v${i - 1}`] : []));
    const g = buildGraph(runAll(cells));
    expect(g.stale).toEqual([]);
    expect(downstream(g, 'c2990')).toHaveLength(10);
    expect(upstream(g, 'c2999')).toEqual(['c2999']);
  });
});
