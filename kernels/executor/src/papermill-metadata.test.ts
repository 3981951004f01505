import type { CodeCell, NotebookCell, NotebookDocument } from './notebook';
import { cellDone, cellRunning, ERROR_CELL_TAG, finishNotebook, markFailedCell, startNotebook } from './papermill-metadata';

const code = (source: string, extra: Partial<CodeCell> = {}): CodeCell => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source, ...extra });
const nbOf = (cells: NotebookCell[]): NotebookDocument => ({ nbformat: 4, nbformat_minor: 5, metadata: { papermill: { parameters: { a: 1 } } }, cells });
const T0 = Date.parse('2026-10-31T10:00:00.000Z');

describe('papermill metadata', () => {
  it('starts a run: outputs, counts and old error markers cleared, every cell pending, parameters kept', () => {
    const nb = nbOf([
      { cell_type: 'markdown', metadata: { tags: [ERROR_CELL_TAG] }, source: 'old marker' },
      code('1 / 0', { execution_count: 3, outputs: [{ output_type: 'error', ename: 'ZeroDivisionError', evalue: '', traceback: [] }] }),
      { cell_type: 'markdown', metadata: {}, source: 'text' },
    ]);
    startNotebook(nb, { path: 'a/b.ipynb', at: T0 });
    expect(nb.cells.map((c) => c.source)).toEqual(['1 / 0', 'text']);
    expect(nb.cells[0]).toMatchObject({ execution_count: null, outputs: [] });
    for (const c of nb.cells) expect(c.metadata.papermill).toEqual({ status: 'pending', start_time: null, end_time: null, duration: null, exception: null });
    expect(nb.metadata.papermill).toEqual({ parameters: { a: 1 }, input_path: 'a/b.ipynb', start_time: '2026-10-31T10:00:00.000Z', end_time: null, duration: null, exception: null });
  });

  it('records a cell running, completing or failing, and the notebook finishing', () => {
    const nb = nbOf([code('a'), code('b')]);
    startNotebook(nb, { path: 'n.ipynb', at: T0 });
    cellRunning(nb.cells[0]!, T0);
    expect(nb.cells[0]!.metadata.papermill).toMatchObject({ status: 'running', start_time: '2026-10-31T10:00:00.000Z', exception: false });
    cellDone(nb.cells[0]!, T0 + 1500, false);
    expect(nb.cells[0]!.metadata.papermill).toEqual({ status: 'completed', start_time: '2026-10-31T10:00:00.000Z', end_time: '2026-10-31T10:00:01.500Z', duration: 1.5, exception: false });
    cellRunning(nb.cells[1]!, T0 + 1500);
    cellDone(nb.cells[1]!, T0 + 2000, true);
    expect(nb.cells[1]!.metadata.papermill).toMatchObject({ status: 'failed', duration: 0.5, exception: true });
    finishNotebook(nb, { startedAt: T0, at: T0 + 2500, failed: true });
    expect(nb.metadata.papermill).toMatchObject({ end_time: '2026-10-31T10:00:02.500Z', duration: 2.5, exception: true });
  });

  it('marks a failed cell with a marker before it and one at the top linking to it (text escaped)', () => {
    const nb = nbOf([code('a', { id: 'x' }), code('b', { id: 'y' })]);
    markFailedCell(nb, 1, 2, 'ValueError: <bad>\n value');
    expect(nb.cells.map((c) => [c.cell_type, c.metadata.tags])).toEqual([
      ['markdown', [ERROR_CELL_TAG]],
      ['code', undefined],
      ['markdown', [ERROR_CELL_TAG]],
      ['code', undefined],
    ]);
    expect(nb.cells[0]!.source).toMatch(/<a href="#papermill-error-cell">In \[2\]<\/a>: ValueError: &lt;bad&gt; value/);
    expect(nb.cells[2]!.source).toMatch(/^<span id="papermill-error-cell"/);
    expect(new Set(nb.cells.map((c) => c.id)).size).toBe(4);
  });
});
