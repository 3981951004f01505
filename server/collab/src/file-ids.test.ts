import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIds } from './file-ids';

describe('FileIds', () => {
  let dir: string;
  const opened: FileIds[] = [];
  const open = () => {
    const ids = new FileIds({ dataDir: dir });
    opened.push(ids);
    return ids;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-ids-'));
  });
  afterEach(async () => {
    for (const ids of opened.splice(0)) await ids[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a path one stable id and finds the path back', async () => {
    const ids = open();
    const a = ids.getId('a.ipynb');
    expect(ids.getId('/a.ipynb')).toBe(a);
    expect(ids.getId('b.ipynb')).not.toBe(a);
    expect(ids.getPath(a)).toBe('a.ipynb');
    expect(ids.getPath('nope')).toBeUndefined();
  });

  it('keeps ids across a rename, a directory move and a reopen', async () => {
    let a: string, b: string, c: string;
    {
      const ids = open();
      a = ids.getId('work/a.ipynb');
      b = ids.getId('work/sub/b.txt');
      c = ids.getId('workshop/c.ipynb');
      ids.move('work/a.ipynb', 'work/renamed.ipynb');
      ids.move('work', 'archive/2026');
      await ids[Symbol.asyncDispose]();
    }
    const ids = open();
    expect(ids.getPath(a)).toBe('archive/2026/renamed.ipynb');
    expect(ids.getPath(b)).toBe('archive/2026/sub/b.txt');
    expect(ids.getPath(c)).toBe('workshop/c.ipynb');
    expect(ids.getId('archive/2026/sub/b.txt')).toBe(b);
  });

  it('drops the ids of an overwritten target and of a deleted tree', async () => {
    const ids = open();
    const a = ids.getId('a.ipynb');
    const b = ids.getId('b.ipynb');
    ids.move('a.ipynb', 'b.ipynb');
    expect(ids.getPath(a)).toBe('b.ipynb');
    expect(ids.getPath(b)).toBeUndefined();
    const d = ids.getId('d/x.ipynb');
    ids.delete('d');
    expect(ids.getPath(d)).toBeUndefined();
    expect(ids.getPath(a)).toBe('b.ipynb');
  });

  it('swaps two names without losing either id', async () => {
    const ids = open();
    const x = ids.getId('x/1.ipynb');
    const y = ids.getId('x/2.ipynb');
    ids.move('x', 'y');
    ids.move('y/1.ipynb', 'y/tmp.ipynb');
    ids.move('y/2.ipynb', 'y/1.ipynb');
    ids.move('y/tmp.ipynb', 'y/2.ipynb');
    expect(ids.getPath(x)).toBe('y/2.ipynb');
    expect(ids.getPath(y)).toBe('y/1.ipynb');
  });
});
