import { join } from 'node:path';
import { CLOSE_SESSION_MISMATCH } from './collaboration-service';
import { Client, connectClient, FakeTimers, Harness, nextConnectionClose, quietYjsConsole, readNotebook, resynced, sampleNotebook, startHarness, synced, until, validateWithNbformat, writeNotebook } from './test-harness';
import { toYjsJSON, YTypes } from './yjs';

describe('CollaborationService with y-websocket clients', () => {
  let h: Harness;
  let clients: Client[];
  let restoreConsole: () => void;
  beforeEach(async () => {
    restoreConsole = quietYjsConsole();
    h = await startHarness();
    clients = [];
  });
  afterEach(async () => {
    for (const c of clients) c.destroy();
    await h.close();
    restoreConsole();
  });
  const connect = (...args: Parameters<typeof connectClient> extends [unknown, ...infer R] ? R : never) => {
    const c = connectClient(h, ...args);
    clients.push(c);
    return c;
  };
  const json = (c: Client) => JSON.stringify(c.nb.toJSON());

  it('answers a session with a stable file id and the document session', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'x', source: '1' }]));
    expect(h.service.isIndexed('a.ipynb')).toBe(false);
    const s1 = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    expect(h.service.isIndexed('a.ipynb')).toBe(true);
    const s2 = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'bob', email: 'b@x' });
    expect(s2).toEqual(s1);
    expect(s1).toEqual({ format: 'json', type: 'notebook', fileId: expect.any(String), sessionId: expect.any(String) });
    await expect(h.service.openSession('missing.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('two clients edit one notebook: both converge, and the saved file is the shared document and valid nbformat', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }, { id: 'c2', source: '# Title', cell_type: 'markdown' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const room = `json:notebook:${s.fileId}`;
    const ann = connect(room, s.sessionId, 'ann');
    const bob = connect(room, s.sessionId, 'bob');
    await Promise.all([synced(ann), synced(bob)]);
    expect(ann.nb.cells.map((c) => c.id)).toEqual(['c1', 'c2']);

    ann.nb.getCell(0).updateSource(5, 5, '\ny = 2');
    bob.nb.insertCell(2, { id: 'c3', cell_type: 'code', source: 'print(x)', metadata: {} });
    bob.nb.getCell(1).setMetadata('tags', toYjsJSON(['intro']));
    await until([ann.nb.ydoc as YTypes.Doc, bob.nb.ydoc as YTypes.Doc], () => json(ann) === json(bob) && ann.nb.cells.length === 3, 'convergence');
    expect(ann.nb.getCell(0).getSource()).toBe('x = 1\ny = 2');

    const [shared] = await h.service.loadedRooms('a.ipynb');
    await until([shared!.doc], () => JSON.stringify(shared!.content()) === json(ann), 'the server to converge');
    expect(await shared!.save()).toBe('success');
    const file = await readNotebook(h.root, 'a.ipynb');
    expect(file.cells.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
    expect((await h.contents.get('a.ipynb')).content).toEqual(JSON.parse(JSON.stringify(shared!.content())));
    await validateWithNbformat(join(h.root, 'a.ipynb'));
  });

  it('closes a stale client with 1003 "reload" after a restart that lost the state, and resumes sessions after one that did not', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const room = `json:notebook:${s.fileId}`;
    const ann = connect(room, s.sessionId, 'ann');
    await synced(ann);
    ann.nb.getCell(0).updateSource(0, 0, '# kept\n');
    const [shared] = await h.service.loadedRooms('a.ipynb');
    await until([shared!.doc], () => shared!.content() !== undefined && JSON.stringify(shared!.content()) === json(ann), 'the edit to reach the server');

    const back = resynced(ann);
    await h.restart(); // state kept: same session, the client resumes and nothing is duplicated
    const again = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    expect(again.sessionId).toBe(s.sessionId);
    expect(again.fileId).toBe(s.fileId);
    await back;
    ann.nb.getCell(0).updateSource(0, 0, '# after restart\n');
    const [resumed] = await h.service.loadedRooms('a.ipynb');
    await until([resumed!.doc], () => JSON.stringify(resumed!.content()) === json(ann), 'the resumed room to converge');
    expect(ann.nb.cells.map((c) => c.id)).toEqual(['c1']);

    const closed = nextConnectionClose(ann); // the restarted server's answer to the reconnecting client
    await h.restart({ loseState: 'all' }); // file ids lost too: the client's room names an unknown file
    const fresh = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    expect(fresh.sessionId).not.toBe(s.sessionId);
    const event = await closed;
    expect(event.code).toBe(CLOSE_SESSION_MISMATCH);
    expect(JSON.parse(String(event.reason))).toEqual({ reason: 'unknown_session', sessionId: s.sessionId, reloadable: true });
  });

  it('closes a stale client with 1003 when only the Yjs store was lost (same file id, new document session)', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const ann = connect(`json:notebook:${s.fileId}`, s.sessionId, 'ann');
    await synced(ann);
    const closed = nextConnectionClose(ann);
    await h.restart({ loseState: 'documents' });
    const fresh = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    expect(fresh.fileId).toBe(s.fileId);
    expect(fresh.sessionId).not.toBe(s.sessionId);
    const event = await closed;
    expect(event.code).toBe(CLOSE_SESSION_MISMATCH);
    expect(JSON.parse(String(event.reason))).toMatchObject({ reason: 'unknown_session', reloadable: true });
    // A client with the new session is served the document, once.
    const bob = connect(`json:notebook:${s.fileId}`, fresh.sessionId, 'bob');
    await synced(bob);
    expect(bob.nb.cells.map((c) => c.id)).toEqual(['c1']);
  });

  it('follows a rename by file id, and closes the clients of a deleted file with 4404', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const ann = connect(`json:notebook:${s.fileId}`, s.sessionId, 'ann');
    await synced(ann);
    await h.contents.rename('a.ipynb', 'b.ipynb', { name: 'ann', email: 'a@x' });
    h.service.moved('a.ipynb', 'b.ipynb');
    expect((await h.service.openSession('b.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' })).fileId).toBe(s.fileId);
    ann.nb.getCell(0).updateSource(0, 0, '# renamed\n');
    const [shared] = await h.service.loadedRooms('b.ipynb');
    await until([shared!.doc], () => JSON.stringify(shared!.content()) === json(ann), 'the edit to reach the server');
    expect(await shared!.save()).toBe('success');
    expect((await readNotebook(h.root, 'b.ipynb')).cells[0]!.source).toEqual(['# renamed\n', 'x = 1']);

    const closed = new Promise<number>((resolve) => ann.provider.on('connection-close', (e: { code: number }) => e && resolve(e.code)));
    await h.contents.delete('b.ipynb', { name: 'ann', email: 'a@x' });
    await h.service.deleted('b.ipynb');
    expect(await closed).toBe(4404);
    expect(h.service.roomNames).toEqual([]);
    expect(h.service.isIndexed('b.ipynb')).toBe(false);
  });

  it('never applies edits from a read-only client and tells it so', async () => {
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    const room = `json:notebook:${s.fileId}`;
    const writer = connect(room, s.sessionId, 'ann');
    const reader = connect(room, s.sessionId, 'rita', { readOnly: '1' });
    await Promise.all([synced(writer), synced(reader)]);
    const denied = new Promise<string>((resolve) => {
      const ws = reader.provider.ws!;
      ws.addEventListener('message', (e: { data: ArrayBuffer }) => {
        const bytes = new Uint8Array(e.data);
        if (bytes[0] === 2 && bytes[1] === 0) resolve(Buffer.from(bytes.subarray(3)).toString());
      });
    });
    reader.nb.getCell(0).updateSource(0, 0, 'HACK ');
    expect(await denied).toContain('read-only');
    writer.nb.getCell(0).updateSource(5, 5, '0');
    await until([reader.nb.ydoc as YTypes.Doc], () => reader.nb.getCell(0).getSource().includes('x = 10'), 'the writer edit to reach the reader');
    const [shared] = await h.service.loadedRooms('a.ipynb');
    expect(shared!.content()).toMatchObject({ cells: [{ source: 'x = 10' }] });
    expect(writer.nb.getCell(0).getSource()).toBe('x = 10');
  });
});

describe('CollaborationService room lifetime', () => {
  it('frees a room (saved) some time after its last client leaves, and not before', async () => {
    const restoreConsole = quietYjsConsole();
    const timers = new FakeTimers();
    const h = await startHarness({ timers, idleRoomMs: 60_000 });
    try {
      await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
      const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
      const room = `json:notebook:${s.fileId}`;
      const ann = connectClient(h, room, s.sessionId, 'ann');
      await synced(ann);
      ann.nb.getCell(0).updateSource(0, 0, '# edited\n');
      const [shared] = await h.service.loadedRooms('a.ipynb');
      await until([shared!.doc], () => JSON.stringify(shared!.content()) === JSON.stringify(ann.nb.toJSON()), 'the edit to reach the server');
      const freeTimer = timers.nextTimer(60_000);
      ann.destroy();
      await freeTimer;
      timers.advance(59_999);
      expect(h.service.roomNames).toEqual([room]);
      timers.advance(1);
      expect(h.service.roomNames).toEqual([]);
      await shared!.save(); // the dispose started by the timer saves; this waits for it
      expect((await readNotebook(h.root, 'a.ipynb')).cells[0]!.source).toEqual(['# edited\n', 'x = 1']);
    } finally {
      await h.close();
      restoreConsole();
    }
  });
});
