import { renderResult, type ResultSet } from '../../../kernels/sql/src/render';
import { formatCell, formatElapsed, readDataResource, readKernelNote, rowCells, tableModel, TableError } from './table-model';

/** What the SQL kernel sends for a result: the bundle and the output metadata (kernels/sql/src/sql-kernel.ts). */
function sqlOutput(result: ResultSet) {
  const bundle = JSON.parse(JSON.stringify(renderResult(result))) as Record<string, unknown>;
  return { data: bundle['application/vnd.dataresource+json'], metadata: { workbench: { connection: 'warehouse', rows: result.rowCount, truncated: result.truncated } } };
}

describe('SQL kernel results', () => {
  const columns = [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'at', type: 'TIMESTAMP' },
  ];

  it('reads columns with types, right-aligns numbers, marks nulls, keeps text as text', () => {
    const out = sqlOutput({
      columns,
      rows: [
        [1, '<script>alert(1)</script>', 12.5, new Date('2026-01-02T03:04:05Z')],
        [2, null, null, null],
      ],
      rowCount: 2,
      truncated: false,
    });
    const model = tableModel(readDataResource(out.data), readKernelNote(out.metadata));
    expect(model.columns).toEqual([
      { name: 'id', type: 'integer', numeric: true, primaryKey: false },
      { name: 'name', type: 'string', numeric: false, primaryKey: false },
      { name: 'amount', type: 'number', numeric: true, primaryKey: false },
      { name: 'at', type: 'datetime', numeric: false, primaryKey: false },
    ]);
    expect(model.footer).toBe('2 rows × 4 columns');
    expect(model.truncated).toBe(false);
    expect(rowCells(model, 0, 10)).toEqual([
      [
        { text: '1', kind: 'number' },
        { text: '<script>alert(1)</script>', kind: 'string' },
        { text: '12.5', kind: 'number' },
        { text: '2026-01-02T03:04:05.000Z', kind: 'string' },
      ],
      [
        { text: '2', kind: 'number' },
        { text: 'null', kind: 'null' },
        { text: 'null', kind: 'null' },
        { text: 'null', kind: 'null' },
      ],
    ]);
  });

  it('says "showing first N of M" when the kernel sent only the first rows', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, `r${i}`, i / 2, null]);
    const out = sqlOutput({ columns, rows, rowCount: 25310, truncated: true, elapsedMs: 12 });
    const model = tableModel(readDataResource(out.data), readKernelNote(out.metadata));
    expect(model).toMatchObject({ totalRows: 25310, truncated: true });
    expect(model.footer).toBe('25,310 rows × 4 columns · showing first 1,000 of 25,310 rows');
    expect(rowCells(model, 998, 5000)).toHaveLength(2);
  });

  it('keeps duplicate column names apart as the kernel renames them', () => {
    const out = sqlOutput({ columns: [{ name: 'id', type: 'INTEGER' }, { name: 'id', type: 'INTEGER' }], rows: [[1, 2]], rowCount: 1, truncated: false });
    const model = tableModel(readDataResource(out.data));
    expect(model.columns.map((c) => c.name)).toEqual(['id', 'id_2']);
    expect(rowCells(model, 0, 1)[0].map((c) => c.text)).toEqual(['1', '2']);
  });
});

describe('pandas payloads', () => {
  // df.to_json(orient='table') with display.html.table_schema: index as a field, pandas_version, NaN as null.
  const pandas = {
    schema: {
      fields: [
        { name: 'index', type: 'integer' },
        { name: 'city', type: 'string' },
        { name: 'pop', type: 'number' },
        { name: 'tags', type: 'any' },
        { name: 'ok', type: 'boolean' },
      ],
      primaryKey: ['index'],
      pandas_version: '1.4.0',
    },
    data: [
      { index: 0, city: 'Gent', pop: 263927.5, tags: ['a', 'b'], ok: true },
      { index: 1, city: 'Brugge', pop: null, tags: { k: 1 }, ok: false },
    ],
  };

  it('marks the primary key and shows nested values as JSON', () => {
    const model = tableModel(readDataResource(pandas));
    expect(model.columns.filter((c) => c.primaryKey).map((c) => c.name)).toEqual(['index']);
    expect(rowCells(model, 0, 2).map((r) => r.map((c) => `${c.kind}:${c.text}`))).toEqual([
      ['number:0', 'string:Gent', 'number:263927.5', 'json:["a","b"]', 'boolean:true'],
      ['number:1', 'string:Brugge', 'null:null', 'json:{"k":1}', 'boolean:false'],
    ]);
    expect(model.footer).toBe('2 rows × 5 columns');
  });

  it('accepts a primary key given as one string, and rows missing a field', () => {
    const model = tableModel(readDataResource({ schema: { fields: [{ name: 'a' }, { name: 'constructor' }], primaryKey: 'a' }, data: [{}] }));
    expect(model.columns).toEqual([
      { name: 'a', type: 'any', numeric: false, primaryKey: true },
      { name: 'constructor', type: 'any', numeric: false, primaryKey: false },
    ]);
    expect(rowCells(model, 0, 1)).toEqual([[{ text: 'null', kind: 'null' }, { text: 'null', kind: 'null' }]]);
    expect(model.footer).toBe('1 row × 2 columns');
  });
});

describe('validation and edge cases', () => {
  it('rejects what is not a data resource', () => {
    expect(() => readDataResource('x')).toThrow(new TableError('Cannot show the table: the data resource is not a JSON object'));
    expect(() => readDataResource({ data: [] })).toThrow('has no schema.fields');
    expect(() => readDataResource({ schema: { fields: [{ type: 'string' }] }, data: [] })).toThrow('field 0 has no name');
    expect(() => readDataResource({ schema: { fields: [] }, data: {} })).toThrow('data is not an array');
  });

  it('reads an empty result and treats non-object rows as empty', () => {
    const model = tableModel(readDataResource({ schema: { fields: [{ name: 'a', type: 'integer' }] } }));
    expect(model.footer).toBe('0 rows × 1 column');
    const odd = tableModel(readDataResource({ schema: { fields: [{ name: 'a' }] }, data: [5, null] }));
    expect(rowCells(odd, 0, 2)).toEqual([[{ text: 'null', kind: 'null' }], [{ text: 'null', kind: 'null' }]]);
  });

  it('reads only the kernel note fields it knows, with sane values', () => {
    expect(readKernelNote(undefined)).toEqual({});
    expect(readKernelNote({ workbench: { rows: -1, truncated: 'yes', elapsedMs: 3.5, connection: 'odoo' } })).toEqual({ elapsedMs: 3.5, connection: 'odoo' });
  });

  it('says the rows are the first ones when the kernel truncated without a total', () => {
    const model = tableModel(readDataResource({ schema: { fields: [{ name: 'a' }] }, data: [{ a: 1 }] }), { truncated: true, elapsedMs: 1234 });
    expect(model.footer).toBe('1 row × 1 column · showing the first 1 row only · 1.23 s');
  });

  it('clips long values and keeps the whole value for the tooltip', () => {
    const cell = formatCell('x'.repeat(600), { maxCellLength: 10 });
    expect(cell.text).toBe('xxxxxxxxx…');
    expect(cell.full).toHaveLength(600);
    expect(formatCell('short', { maxCellLength: 10 })).toEqual({ text: 'short', kind: 'string' });
  });

  it('formats elapsed time as the kernel does', () => {
    expect([0.42, 12.4, 1234, 125_000].map(formatElapsed)).toEqual(['0.4 ms', '12 ms', '1.23 s', '2 min 5.0 s']);
  });

  it('formats cells of 100,000 rows lazily, a chunk at a time', () => {
    const data = Array.from({ length: 100_000 }, (_, i) => ({ n: i }));
    const model = tableModel(readDataResource({ schema: { fields: [{ name: 'n', type: 'integer' }] }, data }));
    expect(model.footer).toBe('100,000 rows × 1 column');
    expect(rowCells(model, 99_999, 100_500).map((r) => r[0].text)).toEqual(['99999']);
  });
});
