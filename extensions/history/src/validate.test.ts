import { HistoryError } from './history-api';
import { readDiffResponse, readRestoredModel, readVersionContent, readVersionList } from './validate';

const version = {
  id: 'b'.repeat(40),
  short: 'bbbbbbb',
  author: { name: 'Ada', email: 'ada@x' },
  time: '2026-03-10T11:00:00+00:00',
  message: 'Checkpoint a.ipynb',
  path: 'a.ipynb',
  change: 'modified',
};

function invalid(fn: () => unknown): HistoryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).kind).toBe('invalid_response');
    return err as HistoryError;
  }
  throw new Error('expected a HistoryError');
}

describe('readVersionList', () => {
  it('accepts the server shape', () => {
    expect(readVersionList({ path: 'a.ipynb', versions: [version] })).toEqual({ path: 'a.ipynb', versions: [version] });
  });

  it('fills what is optional for display (short id, email, message)', () => {
    const { short: _s, message: _m, ...rest } = version;
    const got = readVersionList({ path: 'a.ipynb', versions: [{ ...rest, author: { name: 'Ada' } }] });
    expect(got.versions[0]).toMatchObject({ short: 'bbbbbbb', message: '', author: { name: 'Ada', email: '' } });
  });

  it('names what is wrong', () => {
    expect(invalid(() => readVersionList({ path: 'a', versions: [{ ...version, change: 'exploded' }] })).message).toBe(
      'Cannot read the version list: the server answered with unexpected JSON (versions[0].change is not one of added, modified, renamed, deleted)',
    );
    expect(invalid(() => readVersionList({ path: 'a' })).message).toContain('(versions is not an array)');
    expect(invalid(() => readVersionList('<html>')).message).toContain('(the answer is not an object)');
    expect(invalid(() => readVersionList({ path: 'a', versions: [{ ...version, author: null }] })).message).toContain('versions[0].author is not an object');
  });
});

describe('readDiffResponse', () => {
  const cell = { status: 'modified', id: 'c1', cellType: 'code', oldIndex: 0, newIndex: 1, source: [{ op: 'insert', oldLine: null, newLine: 1, text: 'x' }] };

  it('accepts notebook and file diffs and recomputes the summary from the cells', () => {
    const nb = readDiffResponse({ path: 'a.ipynb', from: 'v', to: 'working', type: 'notebook', diff: { cells: [cell], metadata: [], summary: { added: 9 } } });
    expect(nb.type === 'notebook' && nb.diff.summary).toEqual({ added: 0, removed: 0, modified: 1, moved: 0, unchanged: 0 });
    const file = readDiffResponse({ path: 'a.txt', from: 'v', to: 'working', type: 'file', diff: [{ op: 'equal', oldLine: 1, newLine: 1, text: 'a' }] });
    expect(file).toEqual({ path: 'a.txt', from: 'v', to: 'working', type: 'file', diff: [{ op: 'equal', oldLine: 1, newLine: 1, text: 'a' }] });
  });

  it('keeps the optional parts of a cell and drops unknown keys', () => {
    const full = {
      ...cell,
      moved: true,
      outputs: { old: [{ outputType: 'stream', name: 'stdout', text: '1\n' }], new: [] },
      metadata: [{ path: 'tags', kind: 'added', new: ['x'] }],
      attachments: [{ path: 'a.png', kind: 'removed', old: ['image/png'] }],
      executionCount: { old: 1, new: null },
      cellTypeChange: { old: 'markdown', new: 'code' },
      extra: 'ignored',
    };
    const got = readDiffResponse({ path: 'a.ipynb', from: 'v', to: 'w', type: 'notebook', diff: { cells: [full], metadata: [] } });
    expect(got.type === 'notebook' && got.diff.cells[0]).toEqual({
      status: 'modified',
      moved: true,
      id: 'c1',
      cellType: 'code',
      oldIndex: 0,
      newIndex: 1,
      source: cell.source,
      outputs: { old: [{ outputType: 'stream', name: 'stdout', text: '1\n' }], new: [] },
      metadata: [{ path: 'tags', kind: 'added', new: ['x'] }],
      attachments: [{ path: 'a.png', kind: 'removed', old: ['image/png'] }],
      executionCount: { old: 1, new: null },
      cellTypeChange: { old: 'markdown', new: 'code' },
    });
  });

  it('rejects malformed diffs', () => {
    expect(invalid(() => readDiffResponse({ path: 'a', from: 'v', to: 'w', type: 'image', diff: [] })).message).toContain('(type is not "notebook" or "file")');
    expect(invalid(() => readDiffResponse({ path: 'a', from: 'v', to: 'w', type: 'file', diff: [{ op: 'replace', oldLine: 1, newLine: 1, text: '' }] })).message).toContain('diff[0].op');
    expect(invalid(() => readDiffResponse({ path: 'a', from: 'v', to: 'w', type: 'notebook', diff: { cells: [{ ...cell, oldIndex: -1 }] } })).message).toContain('diff.cells[0].oldIndex');
  });
});

describe('other answers', () => {
  it('reads version content and the restored model', () => {
    expect(readVersionContent({ path: 'a.txt', version: 'v', type: 'file', format: 'text', content: 'hi' })).toEqual({ path: 'a.txt', version: 'v', type: 'file', format: 'text', content: 'hi' });
    expect(readVersionContent({ path: 'a.ipynb', version: 'v', type: 'notebook', format: 'json', content: { cells: [] } })).toMatchObject({ type: 'notebook', content: { cells: [] } });
    expect(readRestoredModel({ path: 'a.ipynb', name: 'a.ipynb', last_modified: 't', type: 'notebook' })).toMatchObject({ path: 'a.ipynb', type: 'notebook' });
    invalid(() => readRestoredModel({ name: 'x' }));
  });
});
