import { assertNotebook, sourceText } from './notebook';
import { sqlFileNotebook } from './sql-file';

describe('sqlFileNotebook', () => {
  it('makes one code cell for the sql kernel', () => {
    const sql = 'CREATE TABLE t AS SELECT 1 AS x;\nSELECT * FROM t;\n';
    const nb = sqlFileNotebook(sql);
    expect(() => assertNotebook(nb, 'q.sql')).not.toThrow();
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'sql', language: 'sql' });
    expect(nb.cells).toHaveLength(1);
    expect(nb.cells[0]).toMatchObject({ cell_type: 'code', source: sql, outputs: [], execution_count: null });
  });

  it('takes a kernelspec name', () => {
    expect(sqlFileNotebook('SELECT 1', { kernelName: 'sql-odoo' }).metadata.kernelspec).toMatchObject({ name: 'sql-odoo' });
  });

  it('turns a leading %params object (after header comments, over several lines) into the parameters cell', () => {
    const sql = '-- Revenue of one month\n\n%params {\n  "month": "2026-10",\n  "note": "a } in a string"\n}\nSELECT $month AS m;\n';
    const nb = sqlFileNotebook(sql);
    expect(nb.cells.map((c) => [sourceText(c.source), c.metadata.tags])).toEqual([
      ['%params {\n  "month": "2026-10",\n  "note": "a } in a string"\n}', ['parameters']],
      ['-- Revenue of one month\n\nSELECT $month AS m;\n', undefined],
    ]);
  });

  it('leaves %params that is not at the top, or not an object, in the SQL', () => {
    expect(sqlFileNotebook('SELECT 1;\n%params {"a": 1}\n').cells).toHaveLength(1);
    expect(sqlFileNotebook('%params nothing\nSELECT 1').cells).toHaveLength(1);
    expect(sqlFileNotebook('%params {"unclosed": 1\nSELECT 1').cells).toHaveLength(1);
  });
});
