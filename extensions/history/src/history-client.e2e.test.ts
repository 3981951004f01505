/**
 * The browser's History API client against a real Workbench (real git
 * workspace), through ServerConnection as in JupyterLab: URLs, auth, the
 * JSON shapes the validation accepts, and how failures read.
 */
import { createServer } from 'node:net';
import { ContentsManager } from '@jupyterlab/services';
import { makeSettings, startTestServer, type TestServer } from '../../../server/app/src/testing/harness';
import { diffModel } from './diff-model';
import { HistoryError } from './history-api';
import { HistoryClient } from './history-client';

const notebook = (sources: string[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: sources.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null })),
});

async function rejection(p: Promise<unknown>): Promise<HistoryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HistoryError);
  return err as HistoryError;
}

describe('HistoryClient against a real server', () => {
  let ts: TestServer;
  let cm: ContentsManager;
  let client: HistoryClient;
  const path = 'dir/my notes #1 + a&b.ipynb';

  beforeAll(async () => {
    ts = await startTestServer([], process.env, { contents: { autosave_debounce_s: 3600 } });
    cm = new ContentsManager({ serverSettings: ts.settings });
    client = new HistoryClient({ serverSettings: ts.settings });
    await cm.save('dir', { type: 'directory' });
  });
  afterAll(async () => {
    cm?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('lists versions, diffs against the saved file, reads a version and restores it', async () => {
    await cm.save(path, { type: 'notebook', format: 'json', content: notebook(['x = 1', 'y = 2']) });
    const v1 = await cm.createCheckpoint(path);
    await cm.save(path, { type: 'notebook', format: 'json', content: notebook(['x = 10', 'y = 2', 'z = 3']) });
    const v2 = await cm.createCheckpoint(path);

    const list = await client.versions(path);
    expect(list.path).toBe(path);
    expect(list.versions.map((v) => v.id)).toEqual([v2.id, v1.id]); // newest first
    expect(list.versions[1]).toMatchObject({ id: v1.id, short: v1.id.slice(0, 7), path, change: 'added', message: `Checkpoint ${path}` });
    expect(list.versions[0]).toMatchObject({ change: 'modified', author: { name: 'workbench' } });

    const diff = await client.diff(path, v1.id);
    expect(diff).toMatchObject({ path, from: v1.id, to: 'working', type: 'notebook' });
    const model = diffModel(diff);
    expect(model.summary).toBe('2 cells changed: 1 added, 1 modified');
    expect(model.cells.map((c) => `${c.statusLabel} ${c.position}`)).toEqual(['Modified cell 1', 'Added cell 3']);

    const old = await client.content(path, v1.id);
    // The file as stored: nbformat's multi-line strings as lists.
    expect(old.type === 'notebook' && (old.content as { cells: { source: string[] }[] }).cells.map((c) => c.source.join(''))).toEqual(['x = 1', 'y = 2']);

    const restored = await client.restore(path, v1.id);
    expect(restored.path).toBe(path);
    const after = await client.versions(path);
    expect(after.versions[0].message).toBe(`Restore ${path} to version ${v1.id.slice(0, 8)}`);
    expect(after.versions.slice(1).map((v) => v.id)).toEqual([v2.id, v1.id]);
    expect(diffModel(await client.diff(path, v1.id))).toMatchObject({ empty: true, summary: 'No changes' });
    expect(await client.versions(path, { limit: 1 })).toMatchObject({ versions: [{ id: after.versions[0].id }] });
  });

  it('keeps batched autosaves when a checkpoint precedes the restore (what the extension does)', async () => {
    const p = 'autosaved.ipynb';
    await cm.save(p, { type: 'notebook', format: 'json', content: notebook(['v1']) });
    const v1 = await cm.createCheckpoint(p);
    await cm.save(p, { type: 'notebook', format: 'json', content: notebook(['v2, autosaved only']) }); // batched: not a commit yet
    const kept = await cm.createCheckpoint(p);
    await client.restore(p, v1.id);
    const versions = (await client.versions(p)).versions;
    expect(versions.map((v) => v.message)).toEqual([`Restore ${p} to version ${v1.id.slice(0, 8)}`, `Checkpoint ${p}`, `Checkpoint ${p}`]);
    const autosaved = await client.content(p, kept.id);
    expect(JSON.stringify(autosaved.content)).toContain('v2, autosaved only');
  });

  it('diffs plain files line by line', async () => {
    await cm.save('notes.txt', { type: 'file', format: 'text', content: 'a\nb\nc\n' });
    const v1 = await cm.createCheckpoint('notes.txt');
    await cm.save('notes.txt', { type: 'file', format: 'text', content: 'a\nB\nc\n' });
    const model = diffModel(await client.diff('notes.txt', v1.id));
    expect(model.kind).toBe('file');
    expect(model.lines.map((l) => `${l.sign}${l.text}`)).toEqual([' a', '-b', '+B', ' c', ' ']);
  });

  it("maps failures to HistoryErrors carrying the server's message", async () => {
    const missing = await rejection(client.versions('missing.ipynb'));
    expect(missing).toMatchObject({ kind: 'not_found', status: 404, message: 'Cannot find missing.ipynb: no such file and no history' });

    await cm.save('one.ipynb', { type: 'notebook', format: 'json', content: notebook(['1']) });
    await cm.createCheckpoint('one.ipynb');
    const unknown = await rejection(client.restore('one.ipynb', 'deadbeef'));
    expect(unknown).toMatchObject({ kind: 'not_found', status: 404 });
    expect(unknown.message).toMatch(/^Cannot find version deadbeef of one.ipynb/);

    const outside = await rejection(client.diff('../etc/passwd', 'deadbeef'));
    expect(outside.status).toBeGreaterThanOrEqual(400);
    expect(outside.status).toBeLessThan(500);

    const wrongToken = new HistoryClient({ serverSettings: makeSettings(ts.baseUrl, 'wrong-token') });
    expect(await rejection(wrongToken.versions('one.ipynb'))).toMatchObject({ kind: 'forbidden', status: 403 });
  });

  it('reports an unreachable server as a network error', async () => {
    // A port of our own that resets every connection (a port closed here could meanwhile be taken by another process).
    const unreachable = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => unreachable.listen(0, '127.0.0.1', resolve));
    try {
      const offline = new HistoryClient({ serverSettings: makeSettings(`http://127.0.0.1:${(unreachable.address() as { port: number }).port}/`) });
      expect(await rejection(offline.versions('a.ipynb'))).toMatchObject({ kind: 'network', status: null, message: 'Cannot load the version history: the server cannot be reached' });
    } finally {
      await new Promise<void>((resolve) => unreachable.close(() => resolve()));
    }
  });

  it('passes an abort through as the abort, not as a network error', async () => {
    const abort = new AbortController();
    abort.abort();
    const err = await client.versions('one.ipynb', { signal: abort.signal }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(HistoryError);
  });
});
