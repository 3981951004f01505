import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentsManager } from '@workbench/contents';
import { Author, contentsPortFor } from './contents-port';
import { DocStore } from './doc-store';
import { DocumentRoom } from './room';
import { Client, connectClient, FakeTimers, Harness, quietYjsConsole, readNotebook, sampleNotebook, startHarness, synced, until, validateWithNbformat, writeNotebook } from './test-harness';
import { toYjsJSON, Y, YTypes } from './yjs';

let restoreConsole: () => void;
beforeAll(() => {
  restoreConsole = quietYjsConsole();
});
afterAll(() => restoreConsole());

describe('DocumentRoom', () => {
  let base: string;
  let root: string;
  let store: DocStore;
  let timers: FakeTimers;
  const saves: Author[][] = [];
  const rooms: DocumentRoom[] = [];
  const open = async (s = store) => {
    const cm = new ContentsManager({ root, maxFileBytes: 1e7 });
    const port = contentsPortFor(cm);
    const room = await DocumentRoom.open({
      name: 'json:notebook:f1',
      format: 'json',
      type: 'notebook',
      path: () => 'a.ipynb',
      contents: { get: port.get, save: (p, m, authors) => (saves.push(authors), port.save(p, m, authors)) },
      store: s,
      timers,
      saveDelayMs: 1000,
    });
    rooms.push(room);
    return room;
  };
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'room-'));
    root = join(base, 'root');
    await mkdir(root);
    store = new DocStore({ dataDir: join(base, 'data') });
    timers = new FakeTimers();
    saves.length = 0;
    await writeNotebook(root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
  });
  afterEach(async () => {
    for (const r of rooms.splice(0)) await r[Symbol.asyncDispose]();
    await store[Symbol.asyncDispose]();
    await rm(base, { recursive: true, force: true });
  });
  const editor = (name: string) => ({ user: { name, email: `${name}@x` } });

  it('opens clean: building the document from the file leaves nothing unsaved (no unsaved mark on the tab)', async () => {
    const room = await open();
    expect(room.doc.getMap('state').get('dirty')).toBe(false);
    await room[Symbol.asyncDispose]();
    // Also when it resumes from the store.
    const again = await open();
    expect(again.doc.getMap('state').get('dirty')).toBe(false);
    again.doc.transact(() => (again.shared as import('./yjs').YDocTypes.YNotebook).getCell(0).updateSource(0, 0, '# '), editor('ann'));
    expect(await again.save()).toBe('success');
    expect(again.doc.getMap('state').get('dirty')).toBe(false);
  });

  it('saves after the quiet period, naming who edited since the last save', async () => {
    const room = await open();
    const nb = room.shared as import('./yjs').YDocTypes.YNotebook;
    room.doc.transact(() => nb.getCell(0).updateSource(0, 0, '# a\n'), editor('ann'));
    timers.advance(500);
    room.doc.transact(() => nb.getCell(0).updateSource(0, 0, '# b\n'), editor('bob'));
    timers.advance(999);
    expect(saves).toEqual([]);
    timers.advance(1);
    await room.save(); // the save the timer started
    expect(saves).toEqual([[{ name: 'ann', email: 'ann@x' }, { name: 'bob', email: 'bob@x' }]]);
    expect((await readNotebook(root, 'a.ipynb')).cells[0]!.source).toEqual(['# b\n', '# a\n', 'x = 1']);
  });

  it('appends every update to the store and compacts them into one state when the room is quiet', async () => {
    const room = await open();
    const nb = room.shared as import('./yjs').YDocTypes.YNotebook;
    for (let i = 0; i < 5; i++) room.doc.transact(() => nb.getCell(0).updateSource(0, 0, `${i}`), editor('ann'));
    expect(store.updateCount('json:notebook:f1')).toBe(6); // the initial state and five updates
    timers.advance(10_000);
    expect(store.updateCount('json:notebook:f1')).toBe(1);
    const copy = new (Y().Doc)();
    for (const u of store.load('json:notebook:f1').updates) Y().applyUpdate(copy, u);
    expect(copy.getArray('cells').toJSON()[0].source).toBe('43210x = 1');
  });

  it('resumes the same Yjs document and session after a restart, and merges what changed on disk meanwhile', async () => {
    const first = await open();
    const nb = first.shared as import('./yjs').YDocTypes.YNotebook;
    first.doc.transact(() => nb.insertCell(1, toYjsJSON({ id: 'c2', cell_type: 'code', source: 'y = 2', metadata: {} })), editor('ann'));
    const client = new (Y().Doc)();
    Y().applyUpdate(client, Y().encodeStateAsUpdate(first.doc));
    await first[Symbol.asyncDispose](); // saves and compacts
    expect(store.updateCount('json:notebook:f1')).toBe(1);
    const file = await readNotebook(root, 'a.ipynb');
    file.cells[0]!.source = 'x = 100';
    await writeNotebook(root, 'a.ipynb', file);

    const second = await open();
    expect(second.sessionId).toBe(first.sessionId);
    // A client holding the old state merges without duplicating anything.
    Y().applyUpdate(second.doc, Y().encodeStateAsUpdate(client));
    expect((second.content() as { cells: { id: string; source: string }[] }).cells.map((c) => [c.id, c.source])).toEqual([
      ['c1', 'x = 100'],
      ['c2', 'y = 2'],
    ]);
    expect(await second.reloadFromDisk()).toBe(false); // the merged file is the room's new base
  });

  it('merges out-of-band structure changes by cell id and keeps cells clients added since the last save', async () => {
    await writeNotebook(root, 'a.ipynb', sampleNotebook([{ id: 'a', source: 'A' }, { id: 'b', source: 'B' }, { id: 'c', source: 'C' }, { id: 'd', source: 'D' }]));
    const room = await open();
    const nb = room.shared as import('./yjs').YDocTypes.YNotebook;
    room.doc.transact(() => nb.insertCell(4, toYjsJSON({ id: 'new', cell_type: 'code', source: 'N', metadata: {} })), editor('ann'));
    const dText = nb.getCell(3).ysource;
    // On disk: b deleted, c moved first, e added, a's source changed.
    await writeNotebook(root, 'a.ipynb', sampleNotebook([{ id: 'c', source: 'C' }, { id: 'a', source: 'A2' }, { id: 'e', source: 'E' }, { id: 'd', source: 'D' }]));
    expect(await room.reloadFromDisk()).toBe(true);
    expect(nb.cells.map((c) => [c.id, c.getSource()])).toEqual([
      ['c', 'C'],
      ['a', 'A2'],
      ['e', 'E'],
      ['d', 'D'],
      ['new', 'N'],
    ]);
    expect(nb.cells[3]!.ysource).toBe(dText);
    expect(await room.reloadFromDisk()).toBe(false); // unchanged file: nothing to do
  });

  it('merges an nbformat 4.4 notebook (no cell ids) by position', async () => {
    const old = (sources: string[]) => ({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: sources.map((s) => ({ cell_type: 'code', source: s, metadata: {}, outputs: [], execution_count: null })) });
    await writeNotebook(root, 'a.ipynb', old(['A', 'B', 'C']));
    const room = await open();
    const nb = room.shared as import('./yjs').YDocTypes.YNotebook;
    const aText = nb.getCell(0).ysource;
    await writeNotebook(root, 'a.ipynb', old(['A', 'B2']));
    expect(await room.reloadFromDisk()).toBe(true);
    expect(nb.cells.map((c) => c.getSource())).toEqual(['A', 'B2']);
    expect(nb.getCell(0).ysource).toBe(aText);
    expect(room.content()).toEqual(expect.objectContaining({ nbformat_minor: 4 }));
  });

  describe('a notebook without cells gets one empty code cell (as jupyter_ydoc), and the file stays valid', () => {
    /** What the contents API's POST writes for JupyterLab's New -> Notebook. */
    const UNTITLED = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const EMPTY_CELL = { id: expect.any(String), cell_type: 'code', source: '', metadata: { trusted: true }, outputs: [], execution_count: null };
    const cellsOf = (room: DocumentRoom) => (room.content() as { cells: ({ id: string } & Record<string, unknown>)[] }).cells;
    const nbOf = (room: DocumentRoom) => room.shared as import('./yjs').YDocTypes.YNotebook;

    it('on a fresh load of an empty notebook: the file is left as it is until someone edits', async () => {
      await writeNotebook(root, 'a.ipynb', UNTITLED);
      const room = await open();
      expect(cellsOf(room)).toEqual([EMPTY_CELL]);
      expect(await room.save()).toBe('success');
      expect(saves).toEqual([]); // nothing to save: the cell is the room's, not an edit
      room.doc.transact(() => nbOf(room).getCell(0).updateSource(0, 0, 'print(6*7)'), editor('ann'));
      expect(await room.save()).toBe('success');
      expect((await readNotebook(root, 'a.ipynb')).cells.map((c) => [c.id, [c.source].flat().join('')])).toEqual([[cellsOf(room)[0]!.id, 'print(6*7)']]);
      await validateWithNbformat(join(root, 'a.ipynb'));
    });

    it('on a load from stored updates of a document without cells, and the cell is stored and saved', async () => {
      const first = await open();
      // A client deletes the last cell: not the room's to refill (JupyterLab adds one itself).
      first.doc.transact(() => nbOf(first).deleteCell(0), editor('ann'));
      expect(cellsOf(first)).toEqual([]);
      await first[Symbol.asyncDispose](); // saves the notebook without cells and compacts
      expect((await readNotebook(root, 'a.ipynb')).cells).toEqual([]);
      await validateWithNbformat(join(root, 'a.ipynb'));

      const second = await open();
      expect(cellsOf(second)).toEqual([EMPTY_CELL]);
      const id = cellsOf(second)[0]!.id;
      timers.advance(1000);
      expect(await second.save()).toBe('success');
      expect((await readNotebook(root, 'a.ipynb')).cells.map((c) => c.id)).toEqual([id]);
      await validateWithNbformat(join(root, 'a.ipynb'));
      await second[Symbol.asyncDispose]();
      const third = await open(); // the cell came from the store: the same one, not another
      expect(cellsOf(third).map((c) => c.id)).toEqual([id]);
    });

    it('on a load from stored updates when the file was emptied on disk meanwhile', async () => {
      await (await open())[Symbol.asyncDispose]();
      expect(store.updateCount('json:notebook:f1')).toBe(1);
      await writeNotebook(root, 'a.ipynb', UNTITLED); // e.g. removed in a terminal and created again by New -> Notebook
      const room = await open();
      expect(cellsOf(room)).toEqual([EMPTY_CELL]);
      expect(cellsOf(room)[0]!.id).not.toBe('c1');
      expect(await room.save()).toBe('success');
      expect((await readNotebook(root, 'a.ipynb')).cells.map((c) => c.id)).toEqual([cellsOf(room)[0]!.id]);
      await validateWithNbformat(join(root, 'a.ipynb'));
    });

    it('when an empty notebook on disk is merged into an open room, in the merge itself (clients never see no cell)', async () => {
      const room = await open();
      const ycells = room.doc.getArray('cells');
      const lengths: number[] = [];
      ycells.observe(() => lengths.push(ycells.length));
      await writeNotebook(root, 'a.ipynb', UNTITLED);
      expect(await room.reloadFromDisk()).toBe(true);
      expect(lengths).toEqual([1]); // one transaction: c1 deleted and the empty cell inserted together
      expect(cellsOf(room)).toEqual([EMPTY_CELL]);
      expect(cellsOf(room)[0]!.id).not.toBe('c1');
      timers.advance(1000);
      expect(await room.save()).toBe('success');
      expect((await readNotebook(root, 'a.ipynb')).cells.map((c) => c.id)).toEqual([cellsOf(room)[0]!.id]);
      await validateWithNbformat(join(root, 'a.ipynb'));
      expect(await room.reloadFromDisk()).toBe(false); // what it saved is its new base
    });
  });
});

describe('DocumentRoom for a text file (YFile)', () => {
  it('saves edits and merges an out-of-band change as a text edit', async () => {
    const base = await mkdtemp(join(tmpdir(), 'room-file-'));
    const store = new DocStore({ dataDir: join(base, 'data') });
    const timers = new FakeTimers();
    try {
      await mkdir(join(base, 'root'));
      const cm = new ContentsManager({ root: join(base, 'root'), maxFileBytes: 1e6 });
      await cm.save('notes.md', { type: 'file', format: 'text', content: 'alpha\nbeta\n' }, { name: 'ann', email: 'a@x' });
      const room = await DocumentRoom.open({ name: 'text:file:f2', format: 'text', type: 'file', path: () => 'notes.md', contents: contentsPortFor(cm), store, timers });
      try {
        const ysource = (room.shared as import('./yjs').YDocTypes.YFile).ysource;
        room.doc.transact(() => ysource.insert(0, '# Notes\n'), { user: { name: 'ann', email: 'a@x' } });
        expect(await room.save()).toBe('success');
        expect((await cm.get('notes.md', { format: 'text' })).content).toBe('# Notes\nalpha\nbeta\n');
        await cm.save('notes.md', { type: 'file', format: 'text', content: '# Notes\nalpha\ngamma\n' }, { name: 'bob', email: 'b@x' });
        const deltas: unknown[] = [];
        ysource.observe((e) => deltas.push(e.delta));
        expect(await room.reloadFromDisk()).toBe(true);
        expect(ysource.toString()).toBe('# Notes\nalpha\ngamma\n');
        expect(deltas).toEqual([[{ retain: 14 }, { delete: 3 }, { insert: 'gamm' }]]); // 'beta' -> 'gamma' shares the trailing 'a'
      } finally {
        await room[Symbol.asyncDispose]();
      }
    } finally {
      await store[Symbol.asyncDispose]();
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('out-of-band change with two clients connected', () => {
  let h: Harness;
  const clients: Client[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await h.close();
  });

  it('reaches the clients as an edit of the one changed source, other cells untouched', async () => {
    const cells = [{ id: 'c1', source: 'import os' }, { id: 'c2', source: 'x = compute()\nprint(x)' }, { id: 'c3', source: '# Notes', cell_type: 'markdown' }];
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook(cells));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const room = `json:notebook:${s.fileId}`;
    for (const u of ['ann', 'bob']) clients.push(connectClient(h, room, s.sessionId, u));
    await Promise.all(clients.map(synced));
    const before = clients.map((c) => c.nb.cells.map((cell) => cell.ysource));
    const seen: { client: number; path: (string | number)[]; target: string }[] = [];
    clients.forEach((c, i) =>
      (c.nb.ydoc.getArray('cells') as YTypes.Array<unknown>).observeDeep((events) => {
        for (const e of events) seen.push({ client: i, path: e.path, target: e.target.constructor.name });
      }),
    );

    const file = await readNotebook(h.root, 'a.ipynb');
    file.cells[1]!.source = 'x = compute(fast=True)\nprint(x)';
    await writeNotebook(h.root, 'a.ipynb', file);
    const [shared] = await h.service.loadedRooms('a.ipynb');
    expect(await shared!.reloadFromDisk()).toBe(true);
    await until(clients.map((c) => c.nb.ydoc as YTypes.Doc), () => clients.every((c) => c.nb.getCell(1).getSource() === 'x = compute(fast=True)\nprint(x)'), 'the change to reach both clients');

    expect(seen.sort((a, b) => a.client - b.client)).toEqual([
      { client: 0, path: [1, 'source'], target: 'YText' },
      { client: 1, path: [1, 'source'], target: 'YText' },
    ]);
    clients.forEach((c, i) => c.nb.cells.forEach((cell, j) => expect(cell.ysource).toBe(before[i]![j])));
    expect(clients[0]!.nb.cells.map((c) => c.getSource())).toEqual(['import os', 'x = compute(fast=True)\nprint(x)', '# Notes']);
  });
});
