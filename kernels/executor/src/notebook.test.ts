import { AppError } from '@workbench/core';
import { assertNotebook } from './notebook';

const valid = () => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
  cells: [
    { id: 'a', cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
    { id: 'b', cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'x = 1', execution_count: null, outputs: [] },
    { id: 'c', cell_type: 'raw', metadata: {}, source: '' },
  ],
});

function refusal(value: unknown): string {
  try {
    assertNotebook(value, 'reports/close.ipynb');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_request');
    return (err as Error).message;
  }
  throw new Error('expected the notebook to be refused');
}

describe('assertNotebook', () => {
  it('accepts an nbformat 4 notebook (any minor version, ids optional)', () => {
    expect(() => assertNotebook(valid(), 'a.ipynb')).not.toThrow();
    const old = { ...valid(), nbformat_minor: 2, cells: valid().cells.map(({ id: _id, ...c }) => c) };
    expect(() => assertNotebook(old, 'a.ipynb')).not.toThrow();
  });

  it.each<[string, (nb: ReturnType<typeof valid>) => unknown, RegExp]>([
    ['not an object', () => [], /it is not a JSON object/],
    ['nbformat 3', (nb) => ({ ...nb, nbformat: 3 }), /nbformat 3 is not supported \(only 4\)/],
    ['a missing nbformat', ({ nbformat: _n, ...nb }) => nb, /nbformat undefined is not supported/],
    ['a bad nbformat_minor', (nb) => ({ ...nb, nbformat_minor: '5' }), /nbformat_minor must be a non-negative integer/],
    ['no metadata', ({ metadata: _m, ...nb }) => nb, /metadata must be an object/],
    ['a kernelspec name that is not a string', (nb) => ({ ...nb, metadata: { kernelspec: { name: 3 } } }), /metadata\.kernelspec\.name must be a string/],
    ['cells not an array', (nb) => ({ ...nb, cells: {} }), /cells must be an array/],
    ['a cell that is not an object', (nb) => ({ ...nb, cells: [null] }), /cell 0 is not an object/],
    ['an unknown cell type', (nb) => ({ ...nb, cells: [{ ...nb.cells[0], cell_type: 'heading' }] }), /cell 0 has an unknown cell_type "heading"/],
    ['a source that is not text', (nb) => ({ ...nb, cells: [nb.cells[0], { ...nb.cells[1], source: ['a', 1] }] }), /cell 1 has no source/],
    ['a cell without metadata', (nb) => ({ ...nb, cells: [{ ...nb.cells[0], metadata: undefined }] }), /cell 0 has no metadata object/],
    ['tags that are not strings', (nb) => ({ ...nb, cells: [{ ...nb.cells[0], metadata: { tags: 'parameters' } }] }), /cell 0 has tags that are not an array of strings/],
    ['a bad cell id', (nb) => ({ ...nb, cells: [{ ...nb.cells[0], id: 'no spaces' }] }), /cell 0 has an invalid id/],
    ['a code cell without outputs', (nb) => ({ ...nb, cells: [nb.cells[0], { ...nb.cells[1], outputs: undefined }] }), /cell 1 \(code\) has no outputs array/],
    ['a code cell without execution_count', (nb) => ({ ...nb, cells: [nb.cells[0], { ...nb.cells[1], execution_count: undefined }] }), /cell 1 \(code\) has no execution_count/],
  ])('refuses %s, naming the notebook', (_what, change, message) => {
    const text = refusal(change(valid()));
    expect(text).toMatch(/^Cannot run notebook reports\/close\.ipynb: /);
    expect(text).toMatch(message);
  });
});
