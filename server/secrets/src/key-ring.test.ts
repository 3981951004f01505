import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { KeyFileFs } from './key-file';
import { deriveKeyId } from './key-file-format';
import { KeyRing } from './key-ring';
import { resolveKeySource } from './key-source';
import { rejection } from './testing';


describe('KeyRing', () => {
  let dir: string;
  let path: string;
  const rings: KeyRing[] = [];
  const track = (r: KeyRing) => (rings.push(r), r);
  const fileRing = async (opts: { createIfMissing?: boolean; fs?: KeyFileFs } = {}) => track(await KeyRing.fromFile(path, { createIfMissing: true, ...opts }));

  beforeEach(async () => {
    dir = await fsp.mkdtemp(join(tmpdir(), 'wb-key-ring-'));
    path = join(dir, 'data', 'secret-keys.json');
  });
  afterEach(async () => {
    for (const r of rings.splice(0)) await r[Symbol.asyncDispose]();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('creates the default key file (0600, one active key) and loads the same key next time', async () => {
    const a = await fileRing();
    expect((await fsp.stat(path)).mode & 0o777).toBe(0o600);
    expect(a.source).toBe('file');
    expect(a.info()).toEqual([{ id: a.activeId, created: expect.any(String), active: true }]);
    const b = await fileRing();
    expect(b.activeId).toBe(a.activeId);
    expect(b.activeKey().key.equals(a.activeKey().key)).toBe(true);
  });

  it('two processes creating the key file at once end up with the same key', async () => {
    const [a, b] = await Promise.all([fileRing(), fileRing()]);
    expect(a!.activeId).toBe(b!.activeId);
    expect(await fsp.readdir(join(dir, 'data'))).toEqual(['secret-keys.json']);
  });

  it('never creates a configured key file that is missing', async () => {
    const err = await rejection(KeyRing.fromFile(path));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/it does not exist \(a configured key file is never created implicitly/);
    await expect(fsp.stat(path)).rejects.toThrow();
  });

  it('refuses to open a group-readable key file', async () => {
    await (await fileRing())[Symbol.asyncDispose]();
    await fsp.chmod(path, 0o640);
    expect((await rejection(KeyRing.fromFile(path))).message).toContain('chmod 600');
  });

  it('opens an environment key source; rotating it is refused with the way out', async () => {
    const key = randomBytes(32);
    const old = randomBytes(32);
    const src = resolveKeySource({ env: { WORKBENCH_SECRET_KEY: key.toString('base64'), WORKBENCH_SECRET_DECRYPT_KEYS: old.toString('base64') }, defaultFile: path });
    const ring = track(await KeyRing.open(src));
    expect(ring.source).toBe('env');
    expect(ring.activeId).toBe(deriveKeyId(key));
    expect((await ring.key(deriveKeyId(old)))!.key.equals(old)).toBe(true);
    expect(ring.info()).toEqual([
      { id: deriveKeyId(key), active: true },
      { id: deriveKeyId(old), active: false },
    ]);
    const err = await rejection(ring.rotate());
    expect(err.message).toMatch(/keys come from WORKBENCH_SECRET_KEY; change the environment instead/);
    await expect(fsp.stat(path)).rejects.toThrow(); // no file was created
    // Disposing zeroes the ring's own copies, not the source's buffers.
    await ring[Symbol.asyncDispose]();
    expect(src.kind === 'env' && src.active.key.equals(key)).toBe(true);
    expect(() => ring.activeId).toThrow(/key ring is closed/);
  });

  it('rotate adds a key to the file and makes it active; the old one stays', async () => {
    const ring = await fileRing();
    const first = ring.activeId;
    const info = await ring.rotate();
    expect(info.active).toBe(true);
    expect(ring.activeId).toBe(info.id);
    expect(info.id).not.toBe(first);
    const reread = track(await KeyRing.fromFile(path));
    expect(reread.info().map((k) => [k.id, k.active])).toEqual([
      [first, false],
      [info.id, true],
    ]);
    expect((await fsp.stat(path)).mode & 0o777).toBe(0o600);
    expect(await fsp.readdir(join(dir, 'data'))).toEqual(['secret-keys.json']); // no lock, no temp
  });

  it('another process sees a rotation: unknown ids re-read the file, refresh picks the new active key', async () => {
    const writer = await fileRing();
    const reader = await fileRing();
    const { id } = await writer.rotate();
    expect(reader.activeId).not.toBe(id);
    expect((await reader.key(id))!.key.equals(writer.activeKey().key)).toBe(true);
    expect(reader.activeId).toBe(id); // the re-read brought the active key along
    const { id: third } = await writer.rotate();
    await reader.refresh();
    expect(reader.activeId).toBe(third);
    expect(await reader.key('k00000000')).toBeUndefined();
  });

  it('a slow re-read that started before a rotation in the same process does not bring the old active key back', async () => {
    let armed = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let heldOpen!: () => void;
    const opened = new Promise<void>((resolve) => (heldOpen = resolve));
    const gatedFs: KeyFileFs = {
      ...fsp,
      open: (async (p: string, flags?: string, mode?: number) => {
        const fh = await fsp.open(p, flags, mode);
        if (armed && flags === 'r' && p === path) {
          armed = false;
          const readFile = fh.readFile.bind(fh);
          // The descriptor already pins the old file; hold its content until the rotation is done.
          fh.readFile = (async () => {
            const data = await readFile();
            await gate;
            return data;
          }) as typeof fh.readFile;
          heldOpen();
        }
        return fh;
      }) as KeyFileFs['open'],
    };
    const ring = await fileRing({ fs: gatedFs });
    armed = true;
    const slow = ring.refresh(true);
    // The re-read holds the old file open before the rotation starts (else the rotation's own read would be the one held).
    await opened;
    const { id } = await ring.rotate();
    release();
    await slow;
    expect(ring.activeId).toBe(id);
  });

  it('refuses to encrypt under keys no file holds any more', async () => {
    const ring = await fileRing();
    await fsp.rm(path);
    expect((await rejection(ring.refresh())).message).toMatch(/it no longer exists/);
  });

  it('retire refuses the active key, unknown keys and a failing usage check, then removes the key', async () => {
    const ring = await fileRing();
    const old = ring.activeId;
    await ring.rotate();
    expect((await rejection(ring.retire(ring.activeId, async () => {}))).code).toBe('conflict');
    expect((await rejection(ring.retire('k-nope', async () => {}))).code).toBe('not_found');
    const inUse = new AppError('conflict', 'in use');
    expect(await rejection(ring.retire(old, async () => Promise.reject(inUse)))).toBe(inUse);
    expect(ring.info().map((k) => k.id)).toContain(old);
    await ring.retire(old, async () => {});
    expect(ring.info().map((k) => k.id)).toEqual([ring.activeId]);
    expect(track(await KeyRing.fromFile(path)).info().map((k) => k.id)).toEqual([ring.activeId]);
  });

  it('a rotation whose file write fails changes nothing and releases the lock', async () => {
    const ok = await fileRing();
    const before = await fsp.readFile(path, 'utf8');
    const failingFs: KeyFileFs = { ...fsp, rename: async () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })) };
    const ring = await fileRing({ fs: failingFs });
    const err = await rejection(ring.rotate());
    expect(err.message).toMatch(/Cannot write secret key file .*: ENOSPC; the previous file, if any, is unchanged/);
    expect(ring.activeId).toBe(ok.activeId);
    expect(await fsp.readFile(path, 'utf8')).toBe(before);
    expect(await fsp.readdir(join(dir, 'data'))).toEqual(['secret-keys.json']);
    await ok.rotate(); // the lock is free
  });

  it('a rotation by a process with a stale view of the file keeps the other process\'s new key', async () => {
    const a = await fileRing();
    const b = await fileRing();
    const first = a.activeId;
    const ra = await a.rotate();
    const rb = await b.rotate(); // b never saw ra, but re-reads the file under the lock
    // Truly at once: one takes the lock, the other is told to retry (a process waits for nobody).
    const both = await Promise.allSettled([a.rotate(), b.rotate()]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as AppError).code)).toEqual(['conflict']);
    const ids = track(await KeyRing.fromFile(path)).info().map((k) => k.id);
    expect(ids.slice(0, 3)).toEqual([first, ra.id, rb.id]);
    expect(ids).toHaveLength(4);
  });

  it('memory rings rotate and retire in memory', async () => {
    const ring = track(KeyRing.generate());
    const old = ring.activeId;
    await Promise.all([ring.rotate(), ring.rotate()]);
    expect(ring.info()).toHaveLength(3);
    await ring.retire(old, async () => {});
    expect(ring.info().map((k) => k.id)).not.toContain(old);
  });
});
