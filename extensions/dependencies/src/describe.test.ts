import { buildGraph, type GraphCell } from '@workbench/dependencies/graph';
import { badgesOf } from './cell-marks';
import { describeCell, nameList, readsLaterLines, relatedCells } from './describe';
import { ran } from './testing/fixtures';

const h = (c: string) => c.repeat(64).slice(0, 64);
const cell = (id: string, defines: string[], reads: string[]): GraphCell => ({ id, language: 'python', sourceHash: h(id), analysis: { defines, reads } });
const label = (id: string) => `cell ${['c1', 'c2', 'c3', 'c4', 'c5'].indexOf(id) + 1}`;

describe('describeCell', () => {
  it('says why each cell is stale after cell 1 was edited', () => {
    const cells = [cell('c1', ['a'], []), cell('c2', ['b'], ['a']), cell('c3', [], ['b'])];
    for (const c of cells) c.execution = ran(c.sourceHash, 'k');
    cells[0]!.sourceHash = h('x');
    const g = buildGraph(cells, { kernelSession: 'k' });
    expect(describeCell(g, 'c1', label)).toEqual({ state: 'stale', staleReasons: ['Edited since it last ran'], reasonKinds: ['edited'], notRunButNeeded: null, warnings: [] });
    expect(describeCell(g, 'c3', label).staleReasons).toEqual(['Reads b from cell 2, which is stale']);
    expect(badgesOf(describeCell(g, 'c2', label))).toEqual([{ kind: 'stale', title: 'Stale\n• Reads a from cell 1, which is stale', label: 'Stale: Reads a from cell 1, which is stale' }]);
  });

  it('an upstream cell run again, one never run while its reader ran, a failed run; runs of another kernel count as never run', () => {
    const cells = [cell('c1', ['a'], []), cell('c2', ['b'], ['a']), cell('c3', ['c'], ['q']), cell('c4', ['q'], [])];
    cells[1]!.execution = ran(h('c2'), 'k');
    cells[0]!.execution = ran(h('c1'), 'k', { failed: true });
    cells[2]!.execution = ran(h('c3'), 'k');
    const g = buildGraph(cells, { kernelSession: 'k' });
    expect(describeCell(g, 'c1', label).staleReasons).toEqual(['Its last run failed']);
    expect(describeCell(g, 'c2', label).staleReasons).toEqual(['Reads a from cell 1, which is stale']);
    expect(describeCell(g, 'c4', label).notRunButNeeded).toBe('Not run in this kernel, while cell 3 reads its names and ran');
    expect(describeCell(g, 'c3', label).staleReasons).toEqual(['Reads q from cell 4, which has not run']);
    expect(describeCell(g, 'c3', label).warnings).toEqual([{ kind: 'reads_later', text: 'Reads q, which only cell 4 below defines' }]);
    const okRuns = [cell('c1', ['a'], []), cell('c2', ['b'], ['a'])];
    okRuns[1]!.execution = ran(h('c2'), 'k');
    okRuns[0]!.execution = ran(h('c1'), 'k');
    expect(describeCell(buildGraph(okRuns, { kernelSession: 'k' }), 'c2', label).staleReasons).toEqual(['Reads a from cell 1, which ran again after this cell']);
    expect(describeCell(buildGraph(okRuns, { kernelSession: 'restarted' }), 'c2', label).state).toBe('never_run');
  });

  it('multiply defined names and cycles, and cells outside the graph', () => {
    const g = buildGraph([cell('c1', ['x'], []), cell('c2', ['x'], []), cell('c3', ['p'], ['q']), cell('c4', ['q'], ['p'])]);
    expect(describeCell(g, 'c2', label).warnings).toEqual([{ kind: 'multiply_defined', text: 'x is also defined by cell 1: what reads it depends on which ran last' }]);
    expect(describeCell(g, 'c4', label).warnings.map((w) => w.kind)).toEqual(['cycle']);
    expect(badgesOf(describeCell(g, 'c3', label)).map((b) => b.kind)).toEqual(['reads_later', 'cycle']);
    expect(describeCell(g, 'md', label)).toEqual({ state: 'none', staleReasons: [], reasonKinds: [], notRunButNeeded: null, warnings: [] });
  });

  it('the question before running a cell reading a later name says whether the definer ran', () => {
    const cells = [cell('c1', [], ['z']), cell('c2', ['z'], [])];
    const g = buildGraph(cells);
    expect(readsLaterLines(g, [{ kind: 'reads_later', cell: 'c1', name: 'z', definedBy: 'c2' }], label)).toEqual(['Cell 1 reads z, which only cell 2 below defines (it has not run in this kernel).']);
  });
});

describe('relatedCells and nameList', () => {
  it('upstream and downstream cells in run order, direct ones with their names', () => {
    const g = buildGraph([cell('c1', ['a'], []), cell('c2', ['b'], ['a']), cell('c3', [], ['b', 'a'])]);
    expect(relatedCells(g, 'c3', 'upstream')).toEqual([
      { id: 'c1', names: ['a'], direct: true },
      { id: 'c2', names: ['b'], direct: true },
    ]);
    expect(relatedCells(g, 'c1', 'downstream')).toEqual([
      { id: 'c2', names: ['a'], direct: true },
      { id: 'c3', names: ['a'], direct: true },
    ]);
    const chain = buildGraph([cell('c1', ['a'], []), cell('c2', ['b'], ['a']), cell('c3', [], ['b'])]);
    expect(relatedCells(chain, 'c3', 'upstream')).toEqual([
      { id: 'c1', names: [], direct: false },
      { id: 'c2', names: ['b'], direct: true },
    ]);
    expect(nameList(['a'])).toBe('a');
    expect(nameList(['a', 'b', 'c'])).toBe('a, b and c');
    expect(nameList(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
  });
});
