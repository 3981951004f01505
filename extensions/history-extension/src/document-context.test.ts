import { contextOf, contextsFor, historyPathOf } from './document-context';

const signal = () => ({ connect: () => true, disconnect: () => true });
const context = (path: string, localPath?: string, extra: object = {}) => ({
  path,
  localPath,
  fileChanged: signal(),
  saveState: signal(),
  pathChanged: signal(),
  disposed: signal(),
  isDisposed: false,
  model: { dirty: false },
  revert: async () => undefined,
  ...extra,
});

describe('contextOf', () => {
  it('finds the context of document widgets', () => {
    const c = context('a.ipynb', 'a.ipynb');
    expect(contextOf({ context: c })).toBe(c);
  });

  it('is null for widgets without a usable context', () => {
    expect(contextOf(null)).toBeNull();
    expect(contextOf({ id: 'launcher-0' })).toBeNull();
    expect(contextOf({ context: null })).toBeNull();
    expect(contextOf({ context: { path: 'a' } })).toBeNull(); // no signals: not a document context
    expect(contextOf({ context: context('a', 'a', { isDisposed: true }) })).toBeNull();
  });
});

describe('historyPathOf', () => {
  it("uses the local path, else drops a drive prefix", () => {
    expect(historyPathOf({ path: 'RTC:dir/a.ipynb', localPath: 'dir/a.ipynb' })).toBe('dir/a.ipynb');
    expect(historyPathOf({ path: 'RTC:dir/a.ipynb' })).toBe('dir/a.ipynb');
    expect(historyPathOf({ path: 'dir/a:b.ipynb' })).toBe('dir/a:b.ipynb');
    expect(historyPathOf({ path: 'a.ipynb', localPath: '' })).toBe('a.ipynb');
  });
});

describe('contextsFor', () => {
  it('returns each open context of a path once', () => {
    const a = context('a.ipynb', 'a.ipynb');
    const other = context('RTC:a.ipynb', 'a.ipynb');
    const b = context('b.ipynb', 'b.ipynb');
    const widgets = [{ context: a }, { context: a }, { context: b }, { id: 'terminal' }, { context: other }];
    expect(contextsFor(widgets, 'a.ipynb')).toEqual([a, other]);
    expect(contextsFor(widgets, 'c.ipynb')).toEqual([]);
  });
});
