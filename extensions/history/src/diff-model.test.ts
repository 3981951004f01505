/**
 * The render model, fed with what the server really produces: the diffs come
 * from server/git's diffNotebooks/diffLines and pass through the client's
 * validation, as in the browser.
 */
import { diffLines, diffNotebooks } from '@workbench/git';
import { collapseLines, diffModel, outputText, withGaps } from './diff-model';
import { readDiffResponse } from './validate';

interface Cell {
  id: string;
  cell_type: string;
  source: string;
  metadata?: object;
  outputs?: object[];
  execution_count?: number | null;
}
const nb = (cells: Cell[], metadata: object = { kernelspec: { name: 'python3' } }) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata,
  cells: cells.map((c) => ({ metadata: {}, ...(c.cell_type === 'code' ? { outputs: [], execution_count: null } : {}), ...c })),
});
const code = (id: string, source: string, extra: Partial<Cell> = {}): Cell => ({ id, cell_type: 'code', source, ...extra });
const md = (id: string, source: string): Cell => ({ id, cell_type: 'markdown', source });

function notebookModel(before: object, after: object) {
  const json = JSON.parse(JSON.stringify({ path: 'a.ipynb', from: 'v1', to: 'working', type: 'notebook', diff: diffNotebooks(before, after) }));
  return diffModel(readDiffResponse(json));
}

describe('notebook diffs', () => {
  it('shows added, removed, modified and moved cells in notebook order with type, position and status', () => {
    const before = nb([md('title', '# Report'), code('load', 'df = load()'), code('plot', 'plot(df)'), code('old', 'debug()')]);
    const after = nb([md('title', '# Report'), code('plot', 'plot(df)'), code('load', 'df = load("x")'), code('new', 'summary(df)')]);
    const m = notebookModel(before, after);
    expect(m.empty).toBe(false);
    expect(m.summary).toBe('3 cells changed: 1 added, 1 removed, 1 modified');
    expect(m.unchangedCells).toBe(2);
    // The server's order: new notebook order, a removed cell right after the cell it followed ("plot" stayed in order).
    expect(m.cells.map((c) => [c.key, c.status, c.moved, c.cellType, c.statusLabel, c.position])).toEqual([
      ['old', 'removed', false, 'code', 'Removed', 'was cell 4'],
      ['load', 'modified', true, 'code', 'Modified and moved', 'cell 2 → 3'],
      ['new', 'added', false, 'code', 'Added', 'cell 4'],
    ]);
    expect(m.cells[0].lines).toEqual([{ kind: 'delete', sign: '-', oldLine: 1, newLine: null, text: 'debug()' }]);
    expect(m.cells[1].lines.map((l) => `${l.sign}${l.text}`)).toEqual(['-df = load()', '+df = load("x")']);
    expect(m.cells[2].lines).toEqual([{ kind: 'insert', sign: '+', oldLine: null, newLine: 1, text: 'summary(df)' }]);
  });

  it('reports a pure move as "Moved" with old and new positions', () => {
    const m = notebookModel(nb([code('a', '1'), code('b', '2'), code('c', '3')]), nb([code('c', '3'), code('a', '1'), code('b', '2')]));
    expect(m.cells.map((c) => [c.key, c.statusLabel, c.position, c.lines.length])).toEqual([['c', 'Moved', 'cell 3 → 1', 0]]);
    expect(m.summary).toBe('1 cell changed: 1 moved');
  });

  it('summarises output changes, execution counts, cell and notebook metadata', () => {
    const stream = (text: string) => ({ output_type: 'stream', name: 'stdout', text });
    const before = nb([code('a', 'print(1)', { outputs: [stream('1\n')], execution_count: 1 }), code('b', 'x', { outputs: [stream('x\n')], execution_count: 2 })]);
    const after = nb(
      [
        code('a', 'print(1)', {
          outputs: [{ output_type: 'execute_result', data: { 'text/plain': '42', 'text/html': '<b>42</b>' }, metadata: {}, execution_count: 3 }],
          execution_count: 3,
          metadata: { tags: ['report'] },
        }),
        code('b', 'x', { outputs: [], execution_count: null }),
      ],
      { kernelspec: { name: 'sql' } },
    );
    const m = notebookModel(before, after);
    expect(m.summary).toBe('2 cells changed: 2 modified · notebook metadata changed');
    expect(m.notebookMetadata.map((c) => c.text)).toEqual(['kernelspec.name: "python3" → "sql"']);
    const [a, b] = m.cells;
    expect(a.outputs).toEqual({ title: 'Outputs changed', old: ['stream (stdout): 1'], new: ['execute_result [text/plain, text/html]: 42'] });
    expect(a.notes).toEqual(['Execution count 1 → 3']);
    expect(a.metadata.map((c) => c.text)).toEqual(['tags added: ["report"]']);
    expect(a.lines).toEqual([]);
    expect(b.outputs).toEqual({ title: 'Outputs cleared', old: ['stream (stdout): x'], new: [] });
    expect(b.notes).toEqual(['Execution count 2 → none']);
  });

  it('notes a cell type change', () => {
    const m = notebookModel(nb([md('a', 'x = 1')]), nb([code('a', 'x = 1')]));
    expect(m.cells[0].notes).toEqual(['Cell type markdown → code']);
  });

  it('is empty when nothing changed', () => {
    const m = notebookModel(nb([code('a', '1')]), nb([code('a', '1')]));
    expect(m).toMatchObject({ empty: true, summary: 'No changes', cells: [], unchangedCells: 1 });
  });

  it('marks where unchanged source lines are hidden', () => {
    const lines = (n: number, changed: number) => Array.from({ length: n }, (_, i) => (i === changed ? 'changed' : `line ${i + 1}`)).join('\n');
    const m = notebookModel(nb([code('a', lines(20, -1))]), nb([code('a', lines(20, 9))]));
    const shown = m.cells[0].lines.map((l) => (l.kind === 'gap' ? l.text : `${l.sign}${l.oldLine ?? ''}/${l.newLine ?? ''} ${l.text}`));
    expect(shown).toEqual(['⋯ 6 unchanged lines', ' 7/7 line 7', ' 8/8 line 8', ' 9/9 line 9', '-10/ line 10', '+/10 changed', ' 11/11 line 11', ' 12/12 line 12', ' 13/13 line 13']);
  });

  it('keeps markup as text', () => {
    const m = notebookModel(nb([md('a', 'hi')]), nb([md('a', '<img src=x onerror=alert(1)>')]));
    expect(m.cells[0].lines.find((l) => l.kind === 'insert')!.text).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('file diffs', () => {
  const text = (n: number) => Array.from({ length: n }, (_, i) => `l${i + 1}`);

  it('collapses unchanged lines into counted gaps at the start, middle and end', () => {
    const a = text(30);
    const b = [...a];
    b[4] = 'five';
    b[24] = 'twenty-five';
    const m = diffModel({ path: 'a.py', from: 'v', to: 'working', type: 'file', diff: diffLines(a.join('\n'), b.join('\n')) }, { context: 1 });
    expect(m.summary).toBe('2 lines added, 2 lines removed');
    expect(m.lines.map((l) => (l.kind === 'gap' ? `gap ${l.hidden}` : `${l.sign}${l.text}`))).toEqual([
      'gap 3',
      ' l4',
      '-l5',
      '+five',
      ' l6',
      'gap 17',
      ' l24',
      '-l25',
      '+twenty-five',
      ' l26',
      'gap 4',
    ]);
  });

  it('is empty when the texts are equal, and caps what it draws', () => {
    expect(diffModel({ path: 'a', from: 'v', to: 'w', type: 'file', diff: diffLines('a\nb', 'a\nb') })).toMatchObject({ empty: true, summary: 'No changes', lines: [] });
    const big = diffModel({ path: 'a', from: 'v', to: 'w', type: 'file', diff: diffLines('', text(100).join('\n')) }, { maxLines: 10 });
    expect(big.lines).toHaveLength(10);
    expect(big.truncatedLines).toBe(90);
  });
});

describe('helpers', () => {
  it('withGaps puts a gap before a first line that is not line 1, even for an insertion', () => {
    expect(withGaps([{ op: 'insert', oldLine: null, newLine: 5, text: 'x' }]).map((l) => l.kind)).toEqual(['gap', 'insert']);
    expect(withGaps([{ op: 'equal', oldLine: 1, newLine: 1, text: 'x' }]).map((l) => l.kind)).toEqual(['equal']);
  });

  it('collapseLines keeps everything with enough context', () => {
    expect(collapseLines(diffLines('a\nb', 'a\nc'), Infinity).map((l) => l.kind)).toEqual(['equal', 'delete', 'insert']);
  });

  it('outputText shows type, stream name, MIME types and a one-line clipped text', () => {
    expect(outputText({ outputType: 'error', text: 'NameError: x' })).toBe('error: NameError: x');
    expect(outputText({ outputType: 'display_data', mimeTypes: ['image/png'] })).toBe('display_data [image/png]');
    expect(outputText({ outputType: 'stream', name: 'stderr', text: 'a\n\nb ' + 'x'.repeat(200) })).toMatch(/^stream \(stderr\): a b x+…$/);
  });
});
