/**
 * The Contents API through @jupyterlab/services' ContentsManager against a
 * real server on a real git-backed workspace.
 */
import { readFile, readdir, symlink, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentsManager, Contents } from '@jupyterlab/services';
import { waitForEvent } from '@workbench/core';
import { api, startTestServer, TestServer } from './testing/harness';
import { git, nbformatValidate } from './testing/nbvalidate';

const notebook = (cells: Cell[], minor = 5) => ({ nbformat: 4, nbformat_minor: minor, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, cells });
interface Cell {
  id?: string;
  cell_type: string;
  source: string;
  [k: string]: unknown;
}
const code = (id: string | undefined, source: string, outputs: object[] = []): Cell => ({ ...(id ? { id } : {}), cell_type: 'code', metadata: {}, source, execution_count: outputs.length ? 1 : null, outputs });

describe('contents API', () => {
  let ts: TestServer;
  let cm: ContentsManager;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { contents: { autosave_debounce_s: 3600, max_file_bytes: 80 * 1024 * 1024 } });
    cm = new ContentsManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    cm?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('creates untitled notebooks, files and folders with Jupyter names', async () => {
    const nb1 = await cm.newUntitled({ type: 'notebook' });
    const nb2 = await cm.newUntitled({ type: 'notebook' });
    const txt = await cm.newUntitled({ type: 'file', ext: '.txt' });
    const dir = await cm.newUntitled({ type: 'directory' });
    const dir2 = await cm.newUntitled({ type: 'directory' });
    expect([nb1.path, nb2.path, txt.path, dir.path, dir2.path]).toEqual(['Untitled.ipynb', 'Untitled1.ipynb', 'untitled.txt', 'Untitled Folder', 'Untitled Folder 1']);
    expect(nbformatValidate(join(ts.rootDir, 'Untitled.ipynb'))).toBe('');
    const listing = await cm.get('', { content: true });
    expect((listing.content as Contents.IModel[]).map((m) => `${m.type}:${m.name}`).sort()).toEqual(['directory:Untitled Folder', 'directory:Untitled Folder 1', 'file:untitled.txt', 'notebook:Untitled.ipynb', 'notebook:Untitled1.ipynb']);
    for (const p of ['Untitled.ipynb', 'Untitled1.ipynb', 'untitled.txt', 'Untitled Folder', 'Untitled Folder 1']) await cm.delete(p);
  });

  it('saves a notebook the way Jupyter writes it, adds missing cell ids, validates with nbformat', async () => {
    const saved = await cm.save('analysis.ipynb', { type: 'notebook', format: 'json', content: notebook([code(undefined, 'x = 1\nprint(x)', [{ output_type: 'stream', name: 'stdout', text: '1\n' }]), code('keep-me', 'y = 2')]) });
    expect(saved.type).toBe('notebook');
    const raw = await readFile(join(ts.rootDir, 'analysis.ipynb'), 'utf8');
    expect(raw.endsWith('}\n')).toBe(true);
    expect(raw).toContain('\n "cells": [\n');
    expect(raw).toContain('"source": [\n    "x = 1\\n",\n    "print(x)"\n   ]');
    const onDisk = JSON.parse(raw);
    expect(onDisk.cells[0].id).toMatch(/^[0-9a-f]{8}$/);
    expect(onDisk.cells[1].id).toBe('keep-me');
    expect(nbformatValidate(join(ts.rootDir, 'analysis.ipynb'))).toBe('');
    const back = await cm.get('analysis.ipynb');
    expect((back.content as { cells: { source: string }[] }).cells[0]!.source).toBe('x = 1\nprint(x)');
  });

  it('saves an invalid notebook as asked, with a validation message, never "repaired"', async () => {
    const bad = { ...notebook([code('a', '1')]), cells: [{ id: 'a', cell_type: 'code', source: '1', metadata: {}, outputs: [], execution_count: null, bogus: true }] };
    const r = await api(ts, 'api/contents/bad.ipynb', { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: bad }) });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { message: string }).message).toMatch(/^Notebook validation failed/);
    expect(JSON.parse(await readFile(join(ts.rootDir, 'bad.ipynb'), 'utf8')).cells[0].bogus).toBe(true);
    const got = (await (await api(ts, 'api/contents/bad.ipynb')).json()) as { message: string };
    expect(got.message).toMatch(/Notebook validation failed/);
  });

  it('reads text and base64 files, content=0 and a stable hash', async () => {
    expect((await cm.save('notes', { type: 'directory' })).type).toBe('directory');
    await cm.save('notes/readme.md', { type: 'file', format: 'text', content: '# Hi\n' });
    await cm.save('notes/blob.bin', { type: 'file', format: 'base64', content: Buffer.from([0, 255, 1]).toString('base64') });
    expect((await cm.get('notes/readme.md')).content).toBe('# Hi\n');
    const bin = await cm.get('notes/blob.bin');
    expect(bin.format).toBe('base64');
    expect(Buffer.from(bin.content as string, 'base64')).toEqual(Buffer.from([0, 255, 1]));
    const meta = await cm.get('notes/readme.md', { content: false, hash: true });
    expect(meta.content).toBeNull();
    expect(meta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await cm.get('notes/readme.md', { content: false, hash: true })).hash).toBe(meta.hash);
    await cm.save('notes/readme.md', { type: 'file', format: 'text', content: '# Hi!\n' });
    expect((await cm.get('notes/readme.md', { content: false, hash: true })).hash).not.toBe(meta.hash);
    const asText = await api(ts, 'api/contents/notes/blob.bin?format=text');
    expect(asText.status).toBe(400);
  });

  it('copies, renames (409 on clash) and deletes', async () => {
    await cm.save('src.txt', { type: 'file', format: 'text', content: 'a' });
    const copy = await cm.copy('src.txt', '');
    expect(copy.path).toBe('src-Copy1.txt');
    expect((await cm.copy('src.txt', '')).path).toBe('src-Copy2.txt');
    const renamed = await cm.rename('src-Copy1.txt', 'moved.txt');
    expect(renamed.path).toBe('moved.txt');
    const clash = await api(ts, 'api/contents/moved.txt', { method: 'PATCH', body: JSON.stringify({ path: 'src.txt' }) });
    expect(clash.status).toBe(409);
    await cm.delete('moved.txt');
    await cm.delete('src-Copy2.txt');
    expect((await api(ts, 'api/contents/moved.txt')).status).toBe(404);
    await mkdir(join(ts.rootDir, 'full'));
    await writeFile(join(ts.rootDir, 'full', 'x'), '');
    const notEmpty = await api(ts, 'api/contents/full', { method: 'DELETE' });
    expect(notEmpty.status).toBe(400);
    expect(((await notEmpty.json()) as { message: string }).message).toBe('Cannot delete directory full: it is not empty');
  });

  it('uploads a 50 MB file in 1 MiB chunks, and a half upload never appears under the real name', async () => {
    const size = 50 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) data.writeUInt32LE(i, i);
    const chunkSize = 1024 * 1024;
    const n = Math.ceil(size / chunkSize);
    for (let i = 0; i < n; i++) {
      const chunk = i === n - 1 ? -1 : i + 1;
      await cm.save('big.bin', { type: 'file', format: 'base64', chunk, content: data.subarray(i * chunkSize, (i + 1) * chunkSize).toString('base64') });
      if (i === 10) expect((await api(ts, 'api/contents/big.bin')).status).toBe(404);
    }
    const onDisk = await readFile(join(ts.rootDir, 'big.bin'));
    expect(onDisk.length).toBe(size);
    expect(onDisk.equals(data)).toBe(true);
    expect((await readdir(ts.rootDir)).filter((f) => f.startsWith('.~'))).toEqual([]);
    const orphan = await api(ts, 'api/contents/other.bin', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'base64', chunk: 3, content: 'AA==' }) });
    expect(orphan.status).toBe(400);
  });

  it('downloads /files with the right content type', async () => {
    await cm.save('data.csv', { type: 'file', format: 'text', content: 'a,b\n1,2\n' });
    const r = await api(ts, 'files/data.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await r.text()).toBe('a,b\n1,2\n');
    const nb = await api(ts, 'files/analysis.ipynb?download=1');
    expect(nb.headers.get('content-disposition')).toMatch(/^attachment; filename="?analysis\.ipynb"?$/);
    expect((await api(ts, 'files/data.csv', { token: null })).status).toBe(403);
  });

  it('refuses paths that escape the root, hidden files, symlinks leading outside and NUL bytes', async () => {
    await symlink('/etc', join(ts.rootDir, 'etc-link'));
    await writeFile(join(ts.rootDir, '.secret'), 'x');
    for (const p of ['api/contents/..%2F..%2Fetc%2Fpasswd', 'api/contents/%2E%2E/%2E%2E/etc/passwd', 'api/contents/etc-link/passwd', 'api/contents/.secret', 'api/contents/.git/config', 'files/etc-link/passwd', 'files/..%2F..%2Fetc%2Fpasswd']) {
      const r = await api(ts, p);
      expect([p, r.status]).toEqual([p, 404]);
    }
    const nul = await api(ts, 'api/contents/a%00b.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: 'x' }) });
    expect(nul.status).toBe(400);
    const listing = (await cm.get('')).content as Contents.IModel[];
    expect(listing.map((m) => m.name)).not.toContain('.secret');
    expect(listing.map((m) => m.name)).not.toContain('etc-link');
  });

  it('refuses a file over the size limit with 413 and keeps the old one', async () => {
    await cm.save('limit.txt', { type: 'file', format: 'text', content: 'old' });
    const big = 'x'.repeat(81 * 1024 * 1024);
    const r = await api(ts, 'api/contents/limit.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: big }) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { message: string }).message).toMatch(/over the limit/);
    expect(await readFile(join(ts.rootDir, 'limit.txt'), 'utf8')).toBe('old');
  });

  it('serialises concurrent saves of one file: the result is one of them, whole', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => notebook([code(`c${i}`, `value = ${i}\n`.repeat(500))]));
    await Promise.all(versions.map((v) => cm.save('race.ipynb', { type: 'notebook', format: 'json', content: v })));
    const disk = JSON.parse(await readFile(join(ts.rootDir, 'race.ipynb'), 'utf8'));
    expect(versions.map((v) => v.cells[0]!.id)).toContain(disk.cells[0].id);
    expect(disk.cells[0].source.join('')).toBe(versions.find((v) => v.cells[0]!.id === disk.cells[0].id)!.cells[0]!.source);
  });

  it('publishes saved, renamed and deleted events', async () => {
    const saved = waitForEvent(ts.wb.contents.onDidChange, (e) => e.type === 'created' && e.path === 'ev.txt');
    await cm.save('ev.txt', { type: 'file', format: 'text', content: '1' });
    expect((await saved).user.name).toBe('workbench');
    const renamed = waitForEvent(ts.wb.contents.onDidChange, (e) => e.type === 'renamed');
    await cm.rename('ev.txt', 'ev2.txt');
    expect(await renamed).toMatchObject({ path: 'ev2.txt', oldPath: 'ev.txt' });
    const deleted = waitForEvent(ts.wb.contents.onDidChange, (e) => e.type === 'deleted');
    await cm.delete('ev2.txt');
    expect((await deleted).path).toBe('ev2.txt');
  });
});

describe('checkpoints and history on git', () => {
  let ts: TestServer;
  let cm: ContentsManager;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { contents: { autosave_debounce_s: 3600 } });
    cm = new ContentsManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    cm?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('checkpoints are commits by the user; restore brings the content back as a new commit', async () => {
    await cm.save('cp.ipynb', { type: 'notebook', format: 'json', content: notebook([code('a', 'v = 1')]) });
    const first = await cm.createCheckpoint('cp.ipynb');
    expect(first.id).toMatch(/^[0-9a-f]{40}$/);
    await cm.save('cp.ipynb', { type: 'notebook', format: 'json', content: notebook([code('a', 'v = 2')]) });
    const second = await cm.createCheckpoint('cp.ipynb');
    const list = await cm.listCheckpoints('cp.ipynb');
    expect(list.map((c) => c.id)).toEqual([first.id, second.id]); // oldest first: JupyterLab reverts to the last
    await cm.restoreCheckpoint('cp.ipynb', first.id);
    const restored = await cm.get('cp.ipynb');
    expect((restored.content as { cells: { source: string }[] }).cells[0]!.source).toBe('v = 1');
    const log = git(ts.rootDir, 'log', '--format=%an <%ae>|%s', '--', 'cp.ipynb').trim().split('\n');
    expect(log[0]).toMatch(/^workbench <workbench@workbench.invalid>\|Restore cp.ipynb to version /);
    expect(log).toHaveLength(3);
    expect(git(ts.rootDir, 'show', `${second.id}:cp.ipynb`)).toContain('v = 2');
    await cm.deleteCheckpoint('cp.ipynb', first.id); // accepted; history stays
    expect((await cm.listCheckpoints('cp.ipynb')).length).toBe(3);
  });

  it('lists history with authors, serves old content, diffs notebook-aware, restores; renames and deletes keep history', async () => {
    await cm.save('h.ipynb', { type: 'notebook', format: 'json', content: notebook([code('a', 'x = 1'), code('b', 'y = 2')]) });
    const v1 = await cm.createCheckpoint('h.ipynb');
    await cm.save('h.ipynb', { type: 'notebook', format: 'json', content: notebook([code('b', 'y = 2'), code('a', 'x = 10'), code('c', 'z = 3')]) });
    const diff = (await (await api(ts, `api/history/diff?path=h.ipynb&from=${v1.id}`)).json()) as { diff: { summary: Record<string, number>; cells: { id: string; status: string }[] } };
    expect(diff.diff.summary).toMatchObject({ added: 1, modified: 1 });
    expect(diff.diff.cells.find((c) => c.id === 'c')!.status).toBe('added');
    expect(diff.diff.cells.find((c) => c.id === 'a')!.status).toBe('modified');
    await cm.createCheckpoint('h.ipynb');
    await cm.rename('h.ipynb', 'renamed.ipynb');
    const hist = (await (await api(ts, 'api/history?path=renamed.ipynb')).json()) as { versions: { id: string; path: string; author: { name: string } }[] };
    expect(hist.versions.map((v) => `${v.path} ${(v as unknown as { message: string }).message}`)).toEqual(['renamed.ipynb Rename h.ipynb to renamed.ipynb', expect.stringMatching(/^h.ipynb /), expect.stringMatching(/^h.ipynb /)]);
    expect(hist.versions.every((v) => v.author.name === 'workbench')).toBe(true);
    const old = (await (await api(ts, `api/history/content?path=renamed.ipynb&version=${v1.id}`)).json()) as { content: { cells: { id: string }[] } };
    expect(old.content.cells.map((c) => c.id)).toEqual(['a', 'b']);
    const restore = await api(ts, 'api/history/restore', { method: 'POST', body: JSON.stringify({ path: 'renamed.ipynb', version: v1.id }) });
    expect(restore.status).toBe(200);
    expect(nbformatValidate(join(ts.rootDir, 'renamed.ipynb'))).toBe('');
    await cm.delete('renamed.ipynb');
    const after = (await (await api(ts, 'api/history?path=renamed.ipynb')).json()) as { versions: { change: string }[] };
    expect(after.versions[0]!.change).toBe('deleted');
    expect(after.versions.length).toBeGreaterThanOrEqual(4);
  });

  it('restoring a version first commits pending autosaves, so the overwritten working copy stays in history', async () => {
    await cm.save('r.txt', { type: 'file', format: 'text', content: 'one' });
    const v1 = await cm.createCheckpoint('r.txt');
    await cm.save('r.txt', { type: 'file', format: 'text', content: 'two (autosaved only)' });
    const restore = await api(ts, 'api/history/restore', { method: 'POST', body: JSON.stringify({ path: 'r.txt', version: v1.id }) });
    expect(restore.status).toBe(200);
    expect(readFileSync(join(ts.rootDir, 'r.txt'), 'utf8')).toBe('one');
    const log = git(ts.rootDir, 'log', '--format=%H %s', '--', 'r.txt').trim().split('\n');
    expect(log.map((l) => l.split(' ').slice(1).join(' '))).toEqual([expect.stringMatching(/^Restore r.txt to version /), 'Autosave r.txt', 'Checkpoint r.txt']);
    expect(git(ts.rootDir, 'show', `${log[1]!.split(' ')[0]}:r.txt`)).toBe('two (autosaved only)');
  });

  it('batches autosaves into one commit crediting every author, flushed on shutdown', async () => {
    for (let i = 0; i < 5; i++) await cm.save('auto.txt', { type: 'file', format: 'text', content: `v${i}` });
    expect(git(ts.rootDir, 'log', '--oneline', '--', 'auto.txt').trim()).toBe('');
    await ts.wb.versions!.flush();
    expect(git(ts.rootDir, 'log', '--format=%s', '--', 'auto.txt').trim().split('\n')).toEqual(['Autosave auto.txt']);
    expect(git(ts.rootDir, 'show', 'HEAD:auto.txt')).toBe('v4');
  });
});
