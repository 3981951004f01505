import { buildGraph, type GraphCell } from '@workbench/dependencies/graph';
import { planIndexes, planOf, readsLaterOf, unmetReadsLater } from './plan';
import { ran } from './testing/fixtures';

const h = (c: string) => c.repeat(64).slice(0, 64);
const cell = (id: string, defines: string[], reads: string[], run?: 'ran'): GraphCell => ({ id, language: 'python', sourceHash: h(id), analysis: { defines, reads }, ...(run ? { execution: ran(h(id)) } : {}) });

/**
 *   0 md    (markdown: not in the graph)
 *   1 a     a = 1
 *   2 b     b = a + 1
 *   3 p     print(b)
 *   4 late  print(z)      reads z, defined below
 *   5 z     z = a
 */
const NOTEBOOK = ['md', 'a', 'b', 'p', 'late', 'z'];

describe('plans to cell indexes', () => {
  it('downstream of a: itself and its readers in run order, late after z (a cell runs after a later cell it reads from)', () => {
    const g = buildGraph([cell('a', ['a'], [], 'ran'), cell('b', ['b'], ['a'], 'ran'), cell('p', [], ['b'], 'ran'), cell('late', [], ['z']), cell('z', ['z'], ['a'])]);
    const plan = planOf(g, 'a', 'downstream');
    expect(plan).toEqual(['a', 'b', 'p', 'z', 'late']);
    expect(planIndexes(plan, NOTEBOOK)).toEqual([1, 2, 3, 5, 4]);
    // A cell deleted meanwhile is left out.
    expect(planIndexes(plan, NOTEBOOK.filter((id) => id !== 'b'))).toEqual([1, 2, 4, 3]);
  });

  it('upstream of p after a was edited: the stale cells it needs, then p', () => {
    const cells = [cell('a', ['a'], [], 'ran'), cell('b', ['b'], ['a'], 'ran'), cell('p', [], ['b'], 'ran'), cell('late', [], ['z']), cell('z', ['z'], ['a'])];
    cells[0]!.sourceHash = h('e'); // edited since it ran
    const g = buildGraph(cells);
    expect(g.stale).toEqual(['a', 'b', 'p']);
    expect(planIndexes(planOf(g, 'p', 'upstream'), NOTEBOOK)).toEqual([1, 2, 3]);
    // Fresh upstream cells are not run again.
    const fresh = buildGraph([cell('a', ['a'], [], 'ran'), cell('b', ['b'], ['a'], 'ran'), cell('p', [], ['b'])]);
    expect(planOf(fresh, 'p', 'upstream')).toEqual(['p']);
    expect(planOf(fresh, 'md', 'upstream')).toEqual([]);
  });
});

describe('reads_later', () => {
  it('the cell’s own warnings; a plan asks only about those it does not settle itself', () => {
    const g = buildGraph([cell('a', ['a'], []), cell('late', [], ['z']), cell('z', ['z'], ['a'])]);
    expect(readsLaterOf(g, 'late')).toEqual([{ kind: 'reads_later', cell: 'late', name: 'z', definedBy: 'z' }]);
    expect(readsLaterOf(g, 'a')).toEqual([]);
    // What late needs runs z first: nothing to ask.
    expect(unmetReadsLater(g, planOf(g, 'late', 'upstream'))).toEqual([]);
    // Running late alone (or downstream of it) reads z before z runs.
    expect(unmetReadsLater(g, planOf(g, 'late', 'downstream'))).toEqual([{ kind: 'reads_later', cell: 'late', name: 'z', definedBy: 'z' }]);
  });
});
