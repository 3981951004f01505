import { AppError } from '@workbench/core';
import { diffNotebooks, type CellDiff, type NotebookDiff } from './notebook-diff';

// ---- builders for realistic nbformat 4 JSON ----------------------------------

/** nbformat stores sources as lines that keep their "\n". */
const src = (text: string): string[] => text.split(/(?<=\n)/);

type Json = Record<string, unknown>;

function notebook(cells: unknown[], extra: Json = {}): Json {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python', version: '3.11.4' },
    },
    cells,
    ...extra,
  };
}

function code(id: string | null, source: string, outputs: Json[] = [], extra: Json = {}): Json {
  const cell: Json = { cell_type: 'code', execution_count: 1, metadata: {}, source: src(source), outputs, ...extra };
  if (id !== null) cell.id = id;
  return cell;
}

function markdown(id: string | null, source: string, extra: Json = {}): Json {
  const cell: Json = { cell_type: 'markdown', metadata: {}, source: src(source), ...extra };
  if (id !== null) cell.id = id;
  return cell;
}

const stream = (text: string, name = 'stdout'): Json => ({ output_type: 'stream', name, text: src(text) });
const result = (count: number, plain: string): Json => ({
  output_type: 'execute_result',
  execution_count: count,
  metadata: {},
  data: { 'text/plain': src(plain) },
});
const PNG_A = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PNG_B = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const image = (png: string): Json => ({
  output_type: 'display_data',
  metadata: { 'image/png': { width: 640, height: 480 } },
  data: { 'image/png': png, 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
});
const error = (ename: string, evalue: string): Json => ({
  output_type: 'error',
  ename,
  evalue,
  traceback: ['\u001b[0;31m---------------------------------------------------------------------------\u001b[0m', `${ename}: ${evalue}`],
});

/** A compact view of the cells: "status id old->new". */
const shape = (d: NotebookDiff): string[] =>
  d.cells.map((c) => `${c.status}${c.moved ? '+moved' : ''} ${c.id ?? '-'} ${c.oldIndex ?? '_'}->${c.newIndex ?? '_'}`);

const clone = <T>(v: T): T => structuredClone(v);

const analysis = () =>
  notebook([
    markdown('intro', '# Sales analysis\n\nQuarterly numbers.'),
    code('imports', 'import pandas as pd\nimport matplotlib.pyplot as plt', [], { execution_count: 1 }),
    code('load', "df = pd.read_csv('sales.csv')\nprint(len(df))", [stream('1200\n')], { execution_count: 2 }),
    code('plot', "df.plot(x='month', y='total')\nplt.show()", [image(PNG_A)], { execution_count: 3 }),
    code('total', "df['total'].sum()", [result(4, '98765')], { execution_count: 4 }),
  ]);

// ---- tests ------------------------------------------------------------------

describe('diffNotebooks', () => {
  it('reports nothing for identical notebooks, whether sources are strings or line arrays', () => {
    const a = analysis();
    const b = clone(a);
    for (const cell of b.cells as Json[]) cell.source = (cell.source as string[]).join('');
    const d = diffNotebooks(a, b);
    expect(d.metadata).toEqual([]);
    expect(d.summary).toEqual({ added: 0, removed: 0, modified: 0, moved: 0, unchanged: 5 });
    expect(d.cells[2]).toEqual({ status: 'unchanged', id: 'load', cellType: 'code', oldIndex: 2, newIndex: 2 });
  });

  it('reports reordered cells as moved and nothing else', () => {
    const a = analysis();
    const b = clone(a);
    const cells = b.cells as Json[];
    // Move "imports" below "load", and "total" to the top.
    b.cells = [cells[4], cells[0], cells[2], cells[1], cells[3]];
    const d = diffNotebooks(a, b);
    expect(shape(d)).toEqual([
      'moved+moved total 4->0',
      'unchanged intro 0->1',
      'unchanged load 2->2',
      'moved+moved imports 1->3',
      'unchanged plot 3->4',
    ]);
    expect(d.summary).toEqual({ added: 0, removed: 0, modified: 0, moved: 2, unchanged: 3 });
    for (const c of d.cells) expect(Object.keys(c).sort()).toEqual(expect.not.arrayContaining(['source', 'outputs', 'metadata']));
  });

  it('gives a line diff of an edited source with line numbers and context', () => {
    const body = Array.from({ length: 12 }, (_, i) => `step_${i + 1}()`);
    const edited = body.slice();
    edited[6] = 'step_7(retries=3)';
    edited.splice(10, 0, 'log("almost done")');
    const a = notebook([code('c1', body.join('\n'))]);
    const b = notebook([code('c1', edited.join('\n'))]);

    const d = diffNotebooks(a, b);
    expect(shape(d)).toEqual(['modified c1 0->0']);
    expect(d.cells[0].source).toEqual([
      { op: 'equal', oldLine: 4, newLine: 4, text: 'step_4()' },
      { op: 'equal', oldLine: 5, newLine: 5, text: 'step_5()' },
      { op: 'equal', oldLine: 6, newLine: 6, text: 'step_6()' },
      { op: 'delete', oldLine: 7, newLine: null, text: 'step_7()' },
      { op: 'insert', oldLine: null, newLine: 7, text: 'step_7(retries=3)' },
      { op: 'equal', oldLine: 8, newLine: 8, text: 'step_8()' },
      { op: 'equal', oldLine: 9, newLine: 9, text: 'step_9()' },
      { op: 'equal', oldLine: 10, newLine: 10, text: 'step_10()' },
      { op: 'insert', oldLine: null, newLine: 11, text: 'log("almost done")' },
      { op: 'equal', oldLine: 11, newLine: 12, text: 'step_11()' },
      { op: 'equal', oldLine: 12, newLine: 13, text: 'step_12()' },
    ]);
    expect(d.cells[0].outputs).toBeUndefined();

    const ops = (c: CellDiff) => c.source!.map((l) => `${l.op[0]}${l.oldLine ?? '_'}/${l.newLine ?? '_'}`);
    expect(ops(diffNotebooks(a, b, { context: 0 }).cells[0])).toEqual(['d7/_', 'i_/7', 'i_/11']);
    expect(diffNotebooks(a, b, { context: Infinity }).cells[0].source).toHaveLength(14); // 12 old lines + 2 inserted
  });

  it('summarises changed outputs: stream text, a replaced image, an added error', () => {
    const a = analysis();
    const b = clone(a);
    const cells = b.cells as Json[];
    cells[2].outputs = [stream('1250\n')];
    cells[3].outputs = [image(PNG_B)];
    cells[4].outputs = [error('KeyError', "'total'")];
    cells[4].execution_count = 5;

    const d = diffNotebooks(a, b);
    expect(shape(d)).toEqual([
      'unchanged intro 0->0',
      'unchanged imports 1->1',
      'modified load 2->2',
      'modified plot 3->3',
      'modified total 4->4',
    ]);
    expect(d.cells[2].outputs).toEqual({
      old: [{ outputType: 'stream', name: 'stdout', text: '1200\n' }],
      new: [{ outputType: 'stream', name: 'stdout', text: '1250\n' }],
    });
    const figure = { outputType: 'display_data', mimeTypes: ['image/png', 'text/plain'], text: '<Figure size 640x480 with 1 Axes>' };
    expect(d.cells[3].outputs).toEqual({ old: [figure], new: [figure] });
    expect(d.cells[4].outputs).toEqual({
      old: [{ outputType: 'execute_result', mimeTypes: ['text/plain'], text: '98765' }],
      new: [{ outputType: 'error', text: "KeyError: 'total'" }],
    });
    expect(d.cells[4].executionCount).toEqual({ old: 4, new: 5 });
    expect(d.cells[2].source).toBeUndefined();
    // Images are summarised, never dumped.
    expect(JSON.stringify(d)).not.toContain(PNG_A.slice(0, 40));
  });

  it('reports a re-run with identical output only through executionCount', () => {
    const a = notebook([code('t', "df['total'].sum()", [result(4, '98765')], { execution_count: 4 })]);
    const b = notebook([code('t', "df['total'].sum()", [result(9, '98765')], { execution_count: 9 })]);
    const [cell] = diffNotebooks(a, b).cells;
    expect(cell).toEqual({
      status: 'modified',
      id: 't',
      cellType: 'code',
      oldIndex: 0,
      newIndex: 0,
      executionCount: { old: 4, new: 9 },
    });
  });

  it('truncates long output text to 200 characters', () => {
    const long = 'x'.repeat(5000);
    const d = diffNotebooks(notebook([code('c', 'print(x)')]), notebook([code('c', 'print(x)', [stream(long)])]));
    expect(d.cells[0].outputs!.new[0].text).toBe('x'.repeat(200));
  });

  it('reports metadata-only changes: cell tags and the notebook kernelspec', () => {
    const a = analysis();
    const b = clone(a);
    (b.cells as Json[])[2].metadata = { tags: ['parameters'] };
    (b.cells as Json[])[4].metadata = { collapsed: true };
    (a.cells as Json[])[4].metadata = { collapsed: false, scrolled: 'auto' };
    const meta = b.metadata as Json;
    meta.kernelspec = { name: 'workbench-sql', display_name: 'SQL (DuckDB)', language: 'sql' };
    delete meta.language_info;
    meta.workbench = { schedule: 'daily' };
    b.nbformat_minor = 4;

    const d = diffNotebooks(a, b);
    expect(d.summary).toEqual({ added: 0, removed: 0, modified: 2, moved: 0, unchanged: 3 });
    expect(d.cells[2]).toEqual({
      status: 'modified',
      id: 'load',
      cellType: 'code',
      oldIndex: 2,
      newIndex: 2,
      metadata: [{ path: 'tags', kind: 'added', new: ['parameters'] }],
    });
    expect(d.cells[4].metadata).toEqual([
      { path: 'collapsed', kind: 'changed', old: false, new: true },
      { path: 'scrolled', kind: 'removed', old: 'auto' },
    ]);
    expect(d.metadata).toEqual([
      { path: 'kernelspec.display_name', kind: 'changed', old: 'Python 3 (ipykernel)', new: 'SQL (DuckDB)' },
      { path: 'kernelspec.language', kind: 'changed', old: 'python', new: 'sql' },
      { path: 'kernelspec.name', kind: 'changed', old: 'python3', new: 'workbench-sql' },
      { path: 'language_info', kind: 'removed', old: { name: 'python', version: '3.11.4' } },
      { path: 'workbench', kind: 'added', new: { schedule: 'daily' } },
      { path: 'nbformat_minor', kind: 'changed', old: 5, new: 4 },
    ]);
  });

  it('reports added and removed cells, removed ones where they were', () => {
    const a = analysis();
    const b = clone(a);
    const cells = b.cells as Json[];
    // Remove "imports" and "total"; add a cell after "load" and one at the end.
    b.cells = [
      cells[0],
      cells[2],
      code('describe', 'df.describe()', [result(3, 'count  1200')], { execution_count: 3 }),
      cells[3],
      markdown('conclusion', 'Sales are **up**.'),
    ];
    const d = diffNotebooks(a, b);
    expect(shape(d)).toEqual([
      'unchanged intro 0->0',
      'removed imports 1->_',
      'unchanged load 2->1',
      'added describe _->2',
      'unchanged plot 3->3',
      'removed total 4->_',
      'added conclusion _->4',
    ]);
    expect(d.summary).toEqual({ added: 2, removed: 2, modified: 0, moved: 0, unchanged: 3 });
    const added = d.cells[3];
    expect(added.source).toEqual([{ op: 'insert', oldLine: null, newLine: 1, text: 'df.describe()' }]);
    expect(added.outputs).toEqual({ old: [], new: [{ outputType: 'execute_result', mimeTypes: ['text/plain'], text: 'count  1200' }] });
    expect(added.executionCount).toEqual({ old: null, new: 3 });
    const removed = d.cells[1];
    expect(removed.source!.map((l) => [l.op, l.oldLine, l.newLine])).toEqual([
      ['delete', 1, null],
      ['delete', 2, null],
    ]);
    expect(d.cells[6].executionCount).toBeUndefined();
  });

  it('places cells removed from the top first', () => {
    const a = analysis();
    const b = clone(a);
    b.cells = (b.cells as Json[]).slice(2);
    expect(shape(diffNotebooks(a, b)).slice(0, 3)).toEqual(['removed intro 0->_', 'removed imports 1->_', 'unchanged load 2->0']);
  });

  it('reports a cell type change', () => {
    const a = notebook([code('note', '# TODO: clean the data', [stream('\n')]), code('x', 'x = 1')]);
    const b = notebook([markdown('note', '# TODO: clean the data'), code('x', 'x = 1')]);
    const d = diffNotebooks(a, b);
    expect(d.cells[0]).toEqual({
      status: 'modified',
      id: 'note',
      cellType: 'markdown',
      oldIndex: 0,
      newIndex: 0,
      cellTypeChange: { old: 'code', new: 'markdown' },
      outputs: { old: [{ outputType: 'stream', name: 'stdout', text: '\n' }], new: [] },
      executionCount: { old: 1, new: null },
    });
  });

  it('treats different ids as different cells even with equal content', () => {
    const a = notebook([code('a1', 'x = 1'), code('b1', 'y = 2')]);
    const b = notebook([code('a2', 'x = 1'), code('b1', 'y = 2')]);
    expect(shape(diffNotebooks(a, b))).toEqual(['removed a1 0->_', 'added a2 _->0', 'unchanged b1 1->1']);
  });

  it('pairs duplicate ids in order instead of failing', () => {
    const a = notebook([code('dup', 'x = 1'), code('dup', 'x = 2')]);
    const b = notebook([code('dup', 'x = 1'), code('dup', 'x = 3')]);
    expect(shape(diffNotebooks(a, b))).toEqual(['unchanged dup 0->0', 'modified dup 1->1']);
  });

  describe('pre-4.5 notebooks without ids', () => {
    const v44 = (cells: Json[]) => notebook(cells, { nbformat_minor: 4 });
    const three = () =>
      v44([
        markdown(null, '# Cleaning'),
        code(null, "df = df.dropna()\ndf = df[df.total > 0]\nprint(len(df))", [stream('1180\n')]),
        code(null, "df.to_parquet('clean.parquet')"),
      ]);

    it('matches an edited cell by similarity and diffs its source', () => {
      const a = three();
      const b = clone(a);
      (b.cells as Json[])[1].source = src("df = df.dropna()\ndf = df[df.total >= 0]\nprint(len(df))");
      const d = diffNotebooks(a, b);
      expect(shape(d)).toEqual(['unchanged - 0->0', 'modified - 1->1', 'unchanged - 2->2']);
      expect(d.cells[1].source!.filter((l) => l.op !== 'equal')).toEqual([
        { op: 'delete', oldLine: 2, newLine: null, text: 'df = df[df.total > 0]' },
        { op: 'insert', oldLine: null, newLine: 2, text: 'df = df[df.total >= 0]' },
      ]);
    });

    it('reports a rewritten cell as removed and added when nothing is alike', () => {
      const a = three();
      const b = clone(a);
      (b.cells as Json[])[2] = code(null, 'import duckdb');
      expect(shape(diffNotebooks(a, b))).toEqual(['unchanged - 0->0', 'unchanged - 1->1', 'removed - 2->_', 'added - _->2']);
    });

    it('detects moves by content', () => {
      const a = three();
      const b = clone(a);
      const cells = b.cells as Json[];
      b.cells = [cells[2], cells[0], cells[1]];
      expect(shape(diffNotebooks(a, b))).toEqual(['moved+moved - 2->0', 'unchanged - 0->1', 'unchanged - 1->2']);
    });

    it('sees nothing when identical-content cells swap places, and the fewest moves around them', () => {
      const plot = () => code(null, 'plt.show()', [image(PNG_A)]);
      const a = v44([plot(), code(null, 'df = df.sort_values("month")'), plot()]);
      const b = clone(a);
      const cells = b.cells as Json[];
      b.cells = [cells[2], cells[1], cells[0]];
      expect(shape(diffNotebooks(a, b))).toEqual(['unchanged - 0->0', 'unchanged - 1->1', 'unchanged - 2->2']);

      // E x E y E -> E y E x E: the longest in-order run is 3 cells, so 2 moved.
      const empty = () => code(null, '', [], { execution_count: null });
      const dupA = v44([empty(), code(null, 'x = 1'), empty(), code(null, 'y = 2'), empty()]);
      const dupB = v44([empty(), code(null, 'y = 2'), empty(), code(null, 'x = 1'), empty()]);
      expect(diffNotebooks(dupA, dupB).summary).toEqual({ added: 0, removed: 0, modified: 0, moved: 2, unchanged: 3 });
    });

    it('matches a cell deleted among identical empty cells to the right copy', () => {
      const empty = () => code(null, '', [], { execution_count: null });
      const a = v44([empty(), code(null, 'a = 1'), code(null, 'b = 2'), empty()]);
      const b = v44([code(null, 'a = 1'), code(null, 'b = 2'), empty()]);
      expect(shape(diffNotebooks(a, b))).toEqual(['removed - 0->_', 'unchanged - 1->0', 'unchanged - 2->1', 'unchanged - 3->2']);
    });

    it('matches a cell whose type changed by its source', () => {
      const a = three();
      const b = clone(a);
      (b.cells as Json[])[0] = { cell_type: 'raw', metadata: {}, source: src('# Cleaning') };
      const d = diffNotebooks(a, b);
      expect(d.cells[0]).toMatchObject({ status: 'modified', oldIndex: 0, newIndex: 0, cellTypeChange: { old: 'markdown', new: 'raw' } });
    });
  });

  it('matches by content when only one side has ids (nbformat 4.4 -> 4.5 upgrade)', () => {
    const a = analysis();
    a.nbformat_minor = 4;
    for (const cell of a.cells as Json[]) delete cell.id;
    const b = analysis();
    (b.cells as Json[])[1].source = src('import pandas as pd\nimport matplotlib.pyplot as plt\nimport seaborn as sns');
    const d = diffNotebooks(a, b);
    expect(shape(d)).toEqual([
      'unchanged intro 0->0',
      'modified imports 1->1',
      'unchanged load 2->2',
      'unchanged plot 3->3',
      'unchanged total 4->4',
    ]);
    expect(d.metadata).toEqual([{ path: 'nbformat_minor', kind: 'changed', old: 4, new: 5 }]);
    // And the other way round: ids dropped by an old tool.
    expect(diffNotebooks(b, a).summary).toEqual({ added: 0, removed: 0, modified: 1, moved: 0, unchanged: 4 });
  });

  it('never crashes on odd cells', () => {
    const a = notebook([
      { cell_type: 'code' },
      { cell_type: 'mystery', source: 42, outputs: 'none' },
      markdown('m', 'text', { outputs: [stream('stray output\n')] }),
      null,
      'not a cell',
      { cell_type: 'code', source: ['ok', 7, null], outputs: [null, { output_type: 'error' }, { data: { 'application/json': { b: 1, a: 2 } } }] },
    ]);
    const b = clone(a);
    const cells = b.cells as Json[];
    cells[2] = markdown('m', 'text', { outputs: [], attachments: { 'chart.png': { 'image/png': PNG_A } } });
    cells[5] = { cell_type: 'code', source: 'ok', outputs: [null, { output_type: 'error' }, { data: { 'application/json': { a: 2, b: 1 } } }] };
    const d = diffNotebooks(a, b);
    expect(d.cells.map((c) => c.status)).toEqual(['unchanged', 'unchanged', 'modified', 'unchanged', 'unchanged', 'unchanged']);
    expect(d.cells[1]).toMatchObject({ cellType: 'mystery', id: null });
    expect(d.cells[3]).toMatchObject({ cellType: 'unknown' });
    expect(d.cells[2].outputs).toEqual({ old: [{ outputType: 'stream', name: 'stdout', text: 'stray output\n' }], new: [] });
    expect(d.cells[2].attachments).toEqual([{ path: 'chart.png', kind: 'added', new: ['image/png'] }]);
    expect(diffNotebooks(notebook([]), notebook([]))).toEqual({
      cells: [],
      metadata: [],
      summary: { added: 0, removed: 0, modified: 0, moved: 0, unchanged: 0 },
    });
  });

  describe('4000-cell notebooks', () => {
    const big = (withIds: boolean) => {
      const cells: Json[] = [];
      for (let i = 0; i < 4000; i++) {
        const id = withIds ? `cell-${i}` : null;
        cells.push(
          i % 10 === 0
            ? markdown(id, `## Section ${i / 10}\n\nNotes for section ${i / 10}.`)
            : code(id, `result_${i} = transform(data, step=${i})\nprint(result_${i}.shape)`, [stream(`(${i}, 3)\n`)], {
                execution_count: i,
              }),
        );
      }
      return notebook(cells, withIds ? {} : { nbformat_minor: 4 });
    };

    /**
     * Edits every 97th code cell, deletes every 250th, inserts 5 and moves 3
     * cells (a markdown one and an edited one among them) 500 places up.
     * `origin` tracks each new cell's old index, independently of the diff.
     */
    const change = (nb: Json, withIds: boolean) => {
      const b = clone(nb);
      const cells = b.cells as Json[];
      const edited = new Set<number>();
      for (let i = 1; i < 4000; i += 97) {
        if (i % 10 === 0) continue; // markdown
        cells[i].source = src(`result_${i} = transform(data, step=${i}, fast=True)\nprint(result_${i}.shape)`);
        edited.add(i);
      }
      const deleted = new Set<number>();
      for (let i = 125; i < 4000; i += 250) deleted.add(i);
      let origin: (number | null)[] = cells.map((_, i) => i).filter((i) => !deleted.has(i));
      let kept = cells.filter((_, i) => !deleted.has(i));
      for (let k = 0; k < 5; k++) {
        const cell = code(withIds ? `new-${k}` : null, `extra_${k} = check(${k})`, [], { execution_count: null });
        kept.splice(800 * k + 400, 0, cell);
        origin.splice(800 * k + 400, 0, null);
      }
      const moved = [1101, 2100, 3105];
      for (const old of moved) {
        const from = origin.indexOf(old);
        kept = [...kept.slice(0, from - 500), kept[from], ...kept.slice(from - 500, from), ...kept.slice(from + 1)];
        origin = [...origin.slice(0, from - 500), origin[from], ...origin.slice(from - 500, from), ...origin.slice(from + 1)];
      }
      b.cells = kept;
      return { nb: b, origin, edited, deleted, moved };
    };

    it.each([true, false])('diffs with ids=%s correctly', (withIds) => {
      const a = big(withIds);
      const { nb: b, origin, edited, deleted, moved } = change(a, withIds);
      // One moved cell was also edited: 'modified' with moved: true.
      expect(moved.filter((i) => edited.has(i))).toEqual([3105]);
      const editedKept = [...edited].filter((i) => !deleted.has(i)).length;

      const d = diffNotebooks(a, b);
      // Without ids, similarity pairing keeps order, so the moved and edited
      // cell cannot be told from a removal plus an addition.
      const lost = withIds ? 0 : 1;
      expect(d.summary).toEqual({
        added: 5 + lost,
        removed: deleted.size + lost,
        modified: editedKept - lost,
        moved: 2,
        unchanged: 4000 - deleted.size - editedKept - 2,
      });
      expect(d.cells).toHaveLength(4000 + 5 + lost);
      expect(d.cells.filter((c) => c.moved).map((c) => c.oldIndex)).toEqual(withIds ? [1101, 2100, 3105] : [1101, 2100]);
      // Every other surviving cell is paired with the cell it came from.
      const paired = d.cells.filter((c) => c.newIndex !== null).map((c) => c.oldIndex);
      expect(paired).toEqual(origin.map((i) => (i === 3105 && !withIds ? null : i)));
      for (const c of d.cells) {
        const expected =
          c.newIndex === null ? 'removed' : c.oldIndex === null ? 'added' : edited.has(c.oldIndex) ? 'modified' : c.moved ? 'moved' : 'unchanged';
        if (c.status !== expected) throw new Error(`cell ${JSON.stringify(c)} should be ${expected}`);
        if (c.status === 'modified') {
          expect(c.source!.filter((l) => l.op !== 'equal').map((l) => l.op)).toEqual(['delete', 'insert']);
        }
      }
      // Removed cells are placed where they were: between their old neighbours.
      const at = d.cells.findIndex((c) => c.status === 'removed' && c.oldIndex === 125);
      expect([d.cells[at - 1].oldIndex, d.cells[at + 1].oldIndex]).toEqual([124, 126]);
    });
  });

  it('pairs edited cells without ids when every cell of a long run changed', () => {
    // 300 x 300 candidate pairs: past the dynamic-programming limit, aligned greedily.
    const cells = (suffix: string) =>
      Array.from({ length: 300 }, (_, i) => code(null, `value_${i} = load("part-${i}.csv")${suffix}`));
    const b = notebook(cells('.dropna()'));
    (b.cells as Json[]).splice(150, 1);
    const d = diffNotebooks(notebook(cells('')), b);
    expect(d.summary).toEqual({ added: 0, removed: 1, modified: 299, moved: 0, unchanged: 0 });
    expect(d.cells.find((c) => c.status === 'removed')!.oldIndex).toBe(150);
  });

  describe('invalid input', () => {
    it.each([
      [null, 'the old notebook is not a JSON object'],
      ['{"cells": []}', 'the old notebook is not a JSON object'],
      [[], 'the old notebook is not a JSON object'],
      [{ nbformat: 4 }, 'the old notebook has no "cells" array'],
      [{ cells: {} }, 'the old notebook has no "cells" array'],
    ])('rejects %j', (bad, why) => {
      expect(() => diffNotebooks(bad, notebook([]))).toThrow(`Cannot diff notebooks: ${why}`);
    });

    it('names the side and uses a bad_request AppError', () => {
      let thrown: unknown;
      try {
        diffNotebooks(notebook([]), { worksheets: [] });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({ code: 'bad_request', message: 'Cannot diff notebooks: the new notebook has no "cells" array' });
    });

    it('rejects a negative or non-numeric context', () => {
      expect(() => diffNotebooks(notebook([]), notebook([]), { context: -1 })).toThrow('Cannot diff notebooks: context');
      expect(() => diffNotebooks(notebook([]), notebook([]), { context: NaN })).toThrow('Cannot diff notebooks: context');
    });
  });
});
