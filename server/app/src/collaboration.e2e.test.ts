/**
 * Real-time collaboration through the real server: the session endpoint,
 * two y-websocket clients (what JupyterLab's docprovider uses) editing one
 * notebook over /api/collaboration/room with a token, the file saved through
 * the contents manager (valid nbformat), a REST save by a
 * third party merged into the open document, and a read-only user.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { jupyterYDoc, loadEsm } from '@workbench/collab';
import { waitForEvent } from '@workbench/core';
import type * as YWs from 'y-websocket' with { 'resolution-mode': 'import' };
import type * as Enc from 'lib0/encoding' with { 'resolution-mode': 'import' };
import type * as Dec from 'lib0/decoding' with { 'resolution-mode': 'import' };
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';

const yws = () => loadEsm<typeof YWs>('y-websocket', 'src/y-websocket.js');

const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    { id: 'a1', cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: null },
    { id: 'b2', cell_type: 'markdown', source: '# Month end', metadata: {} },
  ],
};

interface Client {
  nb: InstanceType<ReturnType<typeof jupyterYDoc>['YNotebook']>;
  provider: YWs.WebsocketProvider;
  destroy(): void;
}

function connect(ts: TestServer, room: string, sessionId: string, token = TOKEN): Client {
  const nb = new (jupyterYDoc().YNotebook)();
  const url = ts.baseUrl.replace(/^http/, 'ws') + 'api/collaboration/room';
  const provider = new (yws().WebsocketProvider)(url, room, nb.ydoc as never, { WebSocketPolyfill: WebSocket as never, disableBc: true, params: { sessionId, token }, awareness: nb.awareness as never });
  return {
    nb,
    provider,
    destroy() {
      provider.destroy();
      nb.dispose();
    },
  };
}

function until(c: Client, cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!cond()) return;
      c.nb.ydoc.off('update', check);
      resolve();
    };
    c.nb.ydoc.on('update', check);
    check();
  });
}

const sources = (c: Client) => c.nb.cells.map((cell) => cell.getSource());

/**
 * Jupyter's save request on the client's socket, resolved with the server's
 * answer: the server handles one socket's messages in order, so once this
 * is answered, everything the client sent before it has been handled.
 */
function saveRequest(c: Client, id: number): Promise<{ status: string }> {
  const enc = loadEsm<typeof Enc>('lib0', 'encoding.js');
  const dec = loadEsm<typeof Dec>('lib0', 'decoding.js');
  const ws = c.provider.ws as unknown as WebSocket;
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const d = dec.createDecoder(new Uint8Array(data));
      if (dec.readVarUint(d) !== 2) return;
      let reply: { type?: string; responseTo?: number; status: string };
      try {
        reply = JSON.parse(dec.readVarString(d)) as typeof reply;
      } catch {
        return; // y-protocols' permission-denied message shares the type number; not our answer
      }
      if (reply.type !== 'save' || reply.responseTo !== id) return;
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    const e = enc.createEncoder();
    enc.writeVarUint(e, 2);
    enc.writeVarString(e, 'save');
    enc.writeVarUint(e, id);
    ws.send(enc.toUint8Array(e));
  });
}

describe('shared documents following their files', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { collaboration: { save_delay_s: 0.05, disk_check_s: 0.1 } });
    await writeFile(join(ts.rootDir, 'ledger.ipynb'), JSON.stringify(notebook, null, 1) + '\n');
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });
  const session = (path: string) => api(ts, `api/collaboration/session/${path}`, { method: 'PUT', body: JSON.stringify({ format: 'json', type: 'notebook' }) });

  it('merges a file rewritten on disk behind the server (a git checkout) into the open document: only the changed cell changes', async () => {
    const { fileId, sessionId } = (await (await session('ledger.ipynb')).json()) as { fileId: string; sessionId: string };
    const a = connect(ts, `json:notebook:${fileId}`, sessionId);
    const b = connect(ts, `json:notebook:${fileId}`, sessionId);
    try {
      await until(a, () => a.nb.cells.length === 2);
      await until(b, () => b.nb.cells.length === 2);
      const first = b.nb.getCell(0).ysource;
      const changedCells: number[] = [];
      b.nb.ydoc.getArray('cells').observeDeep((events: { path: (string | number)[] }[]) => {
        for (const e of events) changedCells.push(e.path.length > 0 ? (e.path[0] as number) : -1);
      });
      const onDisk = JSON.parse(JSON.stringify(notebook)) as typeof notebook;
      onDisk.cells[1]!.source = '# Month end, from another branch';
      await writeFile(join(ts.rootDir, 'ledger.ipynb'), JSON.stringify(onDisk, null, 1) + '\n');
      await until(b, () => b.nb.getCell(1).getSource() === '# Month end, from another branch');
      await until(a, () => a.nb.getCell(1).getSource() === '# Month end, from another branch');
      expect(new Set(changedCells)).toEqual(new Set([1]));
      expect(b.nb.getCell(0).ysource).toBe(first);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('keeps a document\'s file id across a rename through the contents API', async () => {
    const before = (await (await session('ledger.ipynb')).json()) as { fileId: string };
    expect((await api(ts, 'api/contents/closing', { method: 'PUT', body: JSON.stringify({ type: 'directory' }) })).status).toBe(201);
    expect((await api(ts, 'api/contents/ledger.ipynb', { method: 'PATCH', body: JSON.stringify({ path: 'closing/ledger-2026.ipynb' }) })).status).toBe(200);
    const after = await session('closing/ledger-2026.ipynb');
    expect(after.status).toBe(200); // already shared: under its new name
    expect(((await after.json()) as { fileId: string }).fileId).toBe(before.fileId);
  });
});

describe('real-time collaboration through the server', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { collaboration: { save_delay_s: 0.05, disk_check_s: 0 } }, { users: [{ username: 'viewer', token: 'viewer-token-0123456789', roles: ['viewer'] }], rolePolicy: { 'contents:write': ['editor'] } });
    await writeFile(join(ts.rootDir, 'close.ipynb'), JSON.stringify(notebook, null, 1) + '\n');
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  const session = (path: string, token = TOKEN) => api(ts, `api/collaboration/session/${path}`, { method: 'PUT', body: JSON.stringify({ format: 'json', type: 'notebook' }), token });

  it('shares a notebook: 201 then 200 with the same file id; 404 for a missing file', async () => {
    const first = await session('close.ipynb');
    expect(first.status).toBe(201);
    const model = (await first.json()) as { format: string; type: string; fileId: string; sessionId: string };
    expect(model).toMatchObject({ format: 'json', type: 'notebook' });
    const again = await session('close.ipynb');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { fileId: string }).fileId).toBe(model.fileId);
    expect((await session('missing.ipynb')).status).toBe(404);
  });

  it('two clients co-edit; the file saved through the contents manager equals the shared notebook and validates as nbformat', async () => {
    const { fileId, sessionId } = (await (await session('close.ipynb')).json()) as { fileId: string; sessionId: string };
    const room = `json:notebook:${fileId}`;
    const a = connect(ts, room, sessionId);
    const b = connect(ts, room, sessionId);
    try {
      await until(a, () => a.nb.cells.length === 2);
      await until(b, () => b.nb.cells.length === 2);
      a.nb.getCell(0).setSource('x = 1\ny = 2');
      b.nb.insertCell(2, { cell_type: 'code', source: 'print(x + y)' });
      await until(a, () => sources(a).join('|') === 'x = 1\ny = 2|# Month end|print(x + y)');
      await until(b, () => sources(b).join('|') === 'x = 1\ny = 2|# Month end|print(x + y)');
      // Saved after the quiet time, through the contents manager (atomic write, git).
      const file = join(ts.rootDir, 'close.ipynb');
      for (;;) {
        const ac = new AbortController();
        const next = waitForEvent(ts.wb.contents.onDidChange, (e) => e.path === 'close.ipynb', ac.signal).catch(() => undefined);
        const saved = JSON.parse(await readFile(file, 'utf8')) as { cells: { source: string | string[]; id: string }[] };
        const text = (c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join('') : c.source);
        if (saved.cells.length === 3 && text(saved.cells[0]!) === 'x = 1\ny = 2' && text(saved.cells[2]!) === 'print(x + y)') {
          ac.abort();
          break;
        }
        await next; // the next save of this file
      }
      execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file]);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { cells: { id: string }[] };
      expect(new Set(saved.cells.map((c) => c.id)).size).toBe(3);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('merges a REST save by someone else into the open document, as a change to that cell only', async () => {
    const { fileId, sessionId } = (await (await session('close.ipynb')).json()) as { fileId: string; sessionId: string };
    const a = connect(ts, `json:notebook:${fileId}`, sessionId);
    try {
      await until(a, () => a.nb.cells.length >= 2);
      const untouched = a.nb.getCell(1).ysource;
      const current = (await (await api(ts, 'api/contents/close.ipynb')).json()) as { content: { cells: { source: string }[] } };
      const changed = JSON.parse(JSON.stringify(current.content)) as typeof notebook;
      changed.cells[1]!.source = '# Month end (closed)';
      const put = await api(ts, 'api/contents/close.ipynb', { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: changed }) });
      expect(put.status).toBe(200);
      await until(a, () => a.nb.getCell(1).getSource() === '# Month end (closed)');
      expect(a.nb.getCell(1).ysource).toBe(untouched); // the same shared text, edited in place
      expect(a.nb.getCell(0).getSource()).toBe(changed.cells[0]!.source);
    } finally {
      a.destroy();
    }
  });

  it('opens a notebook without cells with one empty code cell, and after saving it marks the document clean and publishes the file hash', async () => {
    await writeFile(join(ts.rootDir, 'empty.ipynb'), JSON.stringify({ ...notebook, cells: [] }, null, 1) + '\n');
    const { fileId, sessionId } = (await (await session('empty.ipynb')).json()) as { fileId: string; sessionId: string };
    const a = connect(ts, `json:notebook:${fileId}`, sessionId);
    try {
      await until(a, () => a.nb.cells.length === 1);
      expect([a.nb.getCell(0).cell_type, a.nb.getCell(0).getSource()]).toEqual(['code', '']);
      // What JupyterLab does on an edit: change the document and mark it dirty.
      a.nb.ydoc.transact(() => {
        a.nb.getCell(0).setSource('total = 42');
        a.nb.ystate.set('dirty', true);
      });
      await until(a, () => a.nb.ystate.get('dirty') === false);
      const saved = JSON.parse(await readFile(join(ts.rootDir, 'empty.ipynb'), 'utf8')) as { cells: { source: string | string[] }[] };
      expect(saved.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))).toEqual(['total = 42']);
      // The file's hash is in the shared state: JupyterLab's collaborative drive takes it as its
      // last known save, so the user's own Save does not report "changed on disk".
      const model = (await (await api(ts, 'api/contents/empty.ipynb?content=0&hash=1')).json()) as { hash: string };
      expect(a.nb.ystate.get('hash')).toBe(model.hash);
    } finally {
      a.destroy();
    }
  });

  it('lets a user without write access join read-only: their edits never reach the document', async () => {
    const { fileId, sessionId } = (await (await session('close.ipynb', 'viewer-token-0123456789')).json()) as { fileId: string; sessionId: string };
    const room = `json:notebook:${fileId}`;
    const viewer = connect(ts, room, sessionId, 'viewer-token-0123456789');
    const editor = connect(ts, room, sessionId);
    try {
      await until(viewer, () => viewer.nb.cells.length >= 2);
      await until(editor, () => editor.nb.cells.length >= 2);
      viewer.nb.getCell(0).setSource('import os; os.remove("everything")');
      await saveRequest(viewer, 7); // the server has now handled (and refused) the edit
      editor.nb.getCell(1).setSource('# edited by the editor');
      await until(viewer, () => viewer.nb.getCell(1).getSource() === '# edited by the editor');
      // The editor's change went through the server after the viewer's edit was handled; the
      // viewer's never did.
      expect(editor.nb.getCell(0).getSource()).not.toContain('os.remove');
      const onDisk = (await (await api(ts, 'api/contents/close.ipynb')).json()) as { content: { cells: { source: string }[] } };
      expect(JSON.stringify(onDisk.content.cells)).not.toContain('os.remove');
    } finally {
      viewer.destroy();
      editor.destroy();
    }
  });
});
