import { hashSource } from '@workbench/dependencies/metadata';
import { analysisSignature, analysisUpdates, analyzeRequestCells, cellsToAnalyze, graphCells, notebookLanguage, shouldAnalyze, trackedCells } from './select-cells';
import { answerFor, ran, tracked } from './testing/fixtures';
import type { TrackedCell } from './types';

describe('notebookLanguage', () => {
  it('reads the kernelspec language (ipykernel, the SQL kernel, tslab), else language_info, and refuses the others', () => {
    expect(notebookLanguage({ kernelspec: { name: 'python3', language: 'python' } })).toBe('python');
    expect(notebookLanguage({ kernelspec: { name: 'sql', language: 'sql' } })).toBe('sql');
    expect(notebookLanguage({ kernelspec: { name: 'tslab', language: 'typescript' } })).toBe('typescript');
    expect(notebookLanguage({ kernelspec: { name: '', display_name: '' }, language_info: { name: 'Python' } })).toBe('python');
    expect(notebookLanguage({ kernelspec: { language: 'R' } })).toBeNull();
    expect(notebookLanguage({})).toBeNull();
    expect(notebookLanguage(null)).toBeNull();
  });
});

describe('trackedCells', () => {
  it('keeps the code cells, in order, the first of two with one id, none without a language', () => {
    const cells = [
      { id: 'a', type: 'code', source: 'a = 1', metadata: {} },
      { id: 'm', type: 'markdown', source: '# a', metadata: {} },
      { id: 'b', type: 'code', source: 'b = a', metadata: {} },
      { id: 'a', type: 'code', source: 'a = 2', metadata: {} },
      { id: '', type: 'code', source: 'c = 3', metadata: {} },
    ];
    expect(trackedCells(cells, 'python').map((c) => [c.id, c.source, c.language])).toEqual([
      ['a', 'a = 1', 'python'],
      ['b', 'b = a', 'python'],
    ]);
    expect(trackedCells(cells, null)).toEqual([]);
  });
});

describe('what is sent, and when', () => {
  let cells: TrackedCell[];
  beforeEach(async () => {
    cells = [await tracked('c1', 'a = 1', { defines: ['a'], reads: [] }), await tracked('c2', 'b = a + 1', { defines: ['b'], reads: ['a'] })];
  });

  it('nothing while every stored analysis is of the current source, right after opening', () => {
    expect(cellsToAnalyze(cells)).toEqual([]);
    expect(shouldAnalyze(cells, undefined)).toBe(false);
    expect(shouldAnalyze(cells, analysisSignature(cells))).toBe(false);
  });

  it('the whole notebook once a cell was edited, added, or when the cells moved since the last answer', async () => {
    const edited = [{ ...cells[0]!, source: 'a = 10', sourceHash: await hashSource('a = 10') }, cells[1]!];
    expect(cellsToAnalyze(edited).map((c) => c.id)).toEqual(['c1']);
    expect(shouldAnalyze(edited, undefined)).toBe(true);
    const added = [...cells, { id: 'c3', language: 'python' as const, source: 'print(b)', sourceHash: await hashSource('print(b)'), metadata: {} }];
    expect(cellsToAnalyze(added).map((c) => c.id)).toEqual(['c3']);
    // A move changes what the cells above each one are (a SQL %connect, a Python connection).
    const moved = [cells[1]!, cells[0]!];
    expect(cellsToAnalyze(moved)).toEqual([]);
    expect(shouldAnalyze(moved, analysisSignature(cells))).toBe(true);
    expect(analyzeRequestCells(added)).toEqual([
      { id: 'c1', language: 'python', source: 'a = 1' },
      { id: 'c2', language: 'python', source: 'b = a + 1' },
      { id: 'c3', language: 'python', source: 'print(b)' },
    ]);
  });

  it('a blank cell needs an analysis only when it holds one of an earlier source (it was emptied)', async () => {
    const blank = { id: 'c9', language: 'python' as const, source: '  \n', sourceHash: await hashSource('  \n'), metadata: {} };
    expect(cellsToAnalyze([...cells, blank])).toEqual([]);
    const emptied = { ...cells[0]!, source: '', sourceHash: await hashSource('') };
    expect(cellsToAnalyze([emptied]).map((c) => c.id)).toEqual(['c1']);
    const answer = await answerFor([{ id: 'c9', source: '  \n' }, { id: 'c1', source: '' }], { c9: { defines: [], reads: [] }, c1: { defines: [], reads: [] } });
    const current = (id: string) => (id === 'c9' ? blank : emptied);
    const metadata = (id: string) => (id === 'c9' ? blank.metadata : emptied.metadata);
    expect([...analysisUpdates(answer, current, metadata).keys()]).toEqual(['c1']);
  });

  it('a malformed or foreign metadata entry counts as no analysis', () => {
    const bad = [{ ...cells[0]!, metadata: { workbench: { deps: { version: 2, analysis: {} } } } }, { ...cells[1]!, metadata: 'x' }];
    expect(cellsToAnalyze(bad).map((c) => c.id)).toEqual(['c1', 'c2']);
  });
});

describe('analysisUpdates', () => {
  it('writes answers that differ from the metadata, for cells still holding the source analysed', async () => {
    const c1 = await tracked('c1', 'a = 1', { defines: ['a'], reads: [] });
    const sources = [
      { id: 'c1', source: 'a = 1' },
      { id: 'c2', source: 'b = a + 1' },
      { id: 'c3', source: 'print(b)' },
    ];
    const answer = await answerFor(sources, { c1: { defines: ['a'], reads: [] }, c2: { defines: ['b'], reads: ['a'] }, c3: { defines: [], reads: ['b', 'print'], errors: 'x' } });
    const current = new Map(await Promise.all(sources.map(async (s) => [s.id, { source: s.source, sourceHash: await hashSource(s.source) }] as const)));
    current.set('c3', { source: 'print(b) # typed since', sourceHash: await hashSource('print(b) # typed since') });
    const metadata: Record<string, unknown> = { c1: c1.metadata, c2: {}, c3: {} };
    const updates = analysisUpdates(answer, (id) => current.get(id), (id) => metadata[id]);
    expect([...updates.keys()]).toEqual(['c2']);
    expect(updates.get('c2')).toEqual({ sourceHash: current.get('c2')!.sourceHash, defines: ['b'], reads: ['a'] });
  });
});

describe('graphCells', () => {
  it('gives the graph each cell with its names and its run from the metadata', async () => {
    const c1 = await tracked('c1', 'a = 1', { defines: ['a'], reads: [] }, 'current');
    const [g] = graphCells([c1]);
    expect(g).toEqual({ id: 'c1', language: 'python', sourceHash: c1.sourceHash, analysis: { defines: ['a'], reads: [] }, execution: expect.objectContaining({ sourceHash: c1.sourceHash, kernelSession: 'kernel-1' }) });
    expect(ran('x'.repeat(64)).ranAt).toMatch(/^2026-10-31T/);
  });
});
