/**
 * Rotation without downtime. "Processes" are separate KeyRing instances
 * over one key file and one storage (the shared database), as the server
 * and a `workbench secrets rotate-key` run would be. Interleavings come
 * from a seeded generator, and reads during the rotation are forced at
 * every intermediate state through storage hooks, not hoped for.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { KeyFileFs } from './key-file';
import { KeyRing } from './key-ring';
import { resolveKeySource } from './key-source';
import { MemorySecretStorage } from './memory-secret-storage';
import { SecretStore } from './secret-store';
import { seeded } from './testing';


const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The shared database: every call takes a seeded number of event-loop turns; hooks around the rotation's compare-and-set. */
class TestStorage extends MemorySecretStorage {
  beforeReplace: ((name: string) => Promise<void>) | undefined;
  afterReplace: ((name: string, swapped: boolean) => Promise<void>) | undefined;
  /** Throw (as a dying process would stop) once this many rows were rewrapped. */
  crashAfterReplaces = Infinity;
  replaces = 0;

  constructor(private readonly random: () => number = seeded(1)) {
    super();
  }

  private async jitter(): Promise<void> {
    for (let n = Math.floor(this.random() * 3); n > 0; n--) await turn();
  }

  override async get(name: string) {
    await this.jitter();
    return super.get(name);
  }
  override async list() {
    await this.jitter();
    return super.list();
  }
  override async upsert(record: Parameters<MemorySecretStorage['upsert']>[0]) {
    await this.jitter();
    return super.upsert(record);
  }
  override async delete(name: string) {
    await this.jitter();
    return super.delete(name);
  }
  override async replaceCiphertext(name: string, expected: string, next: { ciphertext: string; keyId: string }) {
    if (this.replaces >= this.crashAfterReplaces) throw new Error('process died');
    await this.beforeReplace?.(name);
    await this.jitter();
    const swapped = await super.replaceCiphertext(name, expected, next);
    if (swapped) this.replaces++;
    await this.afterReplace?.(name, swapped);
    return swapped;
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const N = 25;
const VALUES = new Map(Array.from({ length: N }, (_, i) => [`conn/${String(i).padStart(2, '0')}/password`, `pw-${i}-${randomBytes(8).toString('hex')}`]));

describe('key rotation', () => {
  let dir: string;
  let path: string;
  const owned: (KeyRing | SecretStore)[] = [];
  const own = <T extends KeyRing | SecretStore>(x: T) => (owned.push(x), x);
  /** One "process": its own key ring over the shared key file, its own store over the shared storage. */
  const processOn = async (storage: MemorySecretStorage, fs?: KeyFileFs) => {
    const keyRing = own(await KeyRing.fromFile(path, { createIfMissing: true, fs }));
    return { keyRing, store: own(new SecretStore({ storage, keyRing })) };
  };
  const seed = async (store: SecretStore) => {
    for (const [name, value] of VALUES) await store.put(name, value, 'alice');
  };
  const expectAllReadable = async (store: SecretStore) => {
    for (const [name, value] of VALUES) expect(await store.get(name)).toBe(value);
  };

  beforeEach(async () => {
    dir = await fsp.mkdtemp(join(tmpdir(), 'wb-rotation-'));
    path = join(dir, 'secret-keys.json');
  });
  afterEach(async () => {
    for (const o of owned.splice(0).reverse()) await o[Symbol.asyncDispose]();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  for (const s of [1, 2, 3]) {
    it(`another process keeps reading through a rotation without a single failure (seed ${s})`, async () => {
      const storage = new TestStorage(seeded(s));
      const admin = await processOn(storage); // runs rotate-key
      await seed(admin.store);
      const server = await processOn(storage); // the running server, unaware of the rotation
      const oldKey = server.keyRing.activeId;

      // A full read pass by the server at every intermediate state of the rotation.
      let forcedPasses = 0;
      storage.beforeReplace = storage.afterReplace = async () => {
        await expectAllReadable(server.store);
        forcedPasses++;
      };
      // And a free-running reader interleaved by the seeded storage.
      let done = false;
      let loopReads = 0;
      const names = [...VALUES.keys()];
      const loop = (async () => {
        for (let i = 0; !done; i++) {
          const name = names[i % names.length]!;
          expect(await server.store.get(name)).toBe(VALUES.get(name));
          loopReads++;
        }
      })();
      let report;
      try {
        report = await admin.store.rotateKey();
      } finally {
        done = true;
        await loop;
      }
      expect(report).toEqual({ previousKeyId: oldKey, activeKeyId: admin.keyRing.activeId, rewrapped: N, unchanged: 0, failed: [] });
      expect(forcedPasses).toBe(2 * N);
      expect(loopReads).toBeGreaterThan(0);
      expect(new Set(storage.dump().map((r) => r.keyId))).toEqual(new Set([report.activeKeyId]));
      expect(new Set(storage.dump().map((r) => r.ciphertext.split(':')[1]))).toEqual(new Set([report.activeKeyId]));
      // The server learnt the new key from the file, and writes under it from now on.
      expect(server.keyRing.activeId).toBe(report.activeKeyId);
      expect((await server.store.put('new', 'written-after-rotation', 'bob')).keyId).toBe(report.activeKeyId);
    });
  }

  it('changes only the data key wrap: IVs, encrypted values and updatedAt stay as they were', async () => {
    const storage = new TestStorage();
    const { store } = await processOn(storage);
    await seed(store);
    const before = new Map(storage.dump().map((r) => [r.name, r]));
    await store.rotateKey();
    for (const row of storage.dump()) {
      const old = before.get(row.name)!;
      const [, kid, wrapped, iv, body] = row.ciphertext.split(':');
      const [, oldKid, oldWrapped, oldIv, oldBody] = old.ciphertext.split(':');
      expect(kid).not.toBe(oldKid);
      expect(wrapped).not.toBe(oldWrapped);
      expect([iv, body]).toEqual([oldIv, oldBody]);
      expect([row.createdAt, row.updatedAt, row.createdBy]).toEqual([old.createdAt, old.updatedAt, old.createdBy]);
    }
  });

  it('rotates twice, refuses to retire keys still in use, then retires both old keys', async () => {
    const storage = new TestStorage();
    const { store, keyRing } = await processOn(storage);
    await seed(store);
    const k1 = keyRing.activeId;
    const r1 = await store.rotateKey();
    const r2 = await store.rotateKey();
    expect(r1.previousKeyId).toBe(k1);
    expect(r2.previousKeyId).toBe(r1.activeKeyId);
    expect(r2.rewrapped).toBe(N);
    expect(keyRing.info().map((k) => [k.id, k.active])).toEqual([
      [k1, false],
      [r1.activeKeyId, false],
      [r2.activeKeyId, true],
    ]);
    // Someone restores an old row (from a backup) before the old key is retired: refused.
    const row = storage.dump()[0]!;
    storage.setRaw({ ...row, name: 'restored', ciphertext: `wb1:${k1}:AAAA:AAAA:AAAA`, keyId: k1 }); // even a damaged one counts
    const err = (await rejection(store.retireKey(k1))) as AppError;
    expect(err.code).toBe('conflict');
    expect(err.message).toBe(`Cannot retire secret key ${k1}: 1 secret(s) still use it; rewrap them first (rotate-key does, and resumes an interrupted rewrap)`);
    expect(err.details).toEqual({ secrets: ['restored'] });
    await storage.delete('restored');
    await store.retireKey(k1);
    await store.retireKey(r1.activeKeyId);
    expect(((await rejection(store.retireKey(r2.activeKeyId))) as AppError).message).toMatch(/it is the active key/);
    // A fresh process, with only the key file, reads everything.
    const fresh = await processOn(storage);
    expect(fresh.keyRing.info().map((k) => k.id)).toEqual([r2.activeKeyId]);
    await expectAllReadable(fresh.store);
  });

  it('a process dying half-way leaves everything decryptable; the next run finishes the job', async () => {
    const storage = new TestStorage();
    const first = await processOn(storage);
    await seed(first.store);
    const oldKey = first.keyRing.activeId;
    storage.crashAfterReplaces = 10;
    expect(await rejection(first.store.rotateKey())).toEqual(new Error('process died'));
    storage.crashAfterReplaces = Infinity;

    // "Restart": nothing but the key file and the database survive.
    const restarted = await processOn(storage);
    const newKey = restarted.keyRing.activeId;
    expect(newKey).not.toBe(oldKey);
    await expectAllReadable(restarted.store);
    expect((await restarted.store.keyUsage()).map((u) => [u.id, u.secrets])).toEqual([
      [oldKey, N - 10],
      [newKey, 10],
    ]);
    expect(((await rejection(restarted.store.retireKey(oldKey))) as AppError).message).toContain(`${N - 10} secret(s) still use it`);
    expect(await restarted.store.rewrap()).toEqual({ activeKeyId: newKey, rewrapped: N - 10, unchanged: 10, failed: [] });
    await restarted.store.retireKey(oldKey);
    await expectAllReadable((await processOn(storage)).store);
  });

  it('a rotation that cannot write the key file rewraps nothing', async () => {
    const storage = new TestStorage();
    const ok = await processOn(storage);
    await seed(ok.store);
    const failingFs: KeyFileFs = { ...fsp, rename: async () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })) };
    const broken = await processOn(storage, failingFs);
    const err = (await rejection(broken.store.rotateKey())) as AppError;
    expect(err.message).toMatch(/ENOSPC; the previous file, if any, is unchanged/);
    expect(storage.replaces).toBe(0);
    expect(broken.keyRing.info()).toHaveLength(1);
    await expectAllReadable((await processOn(storage)).store);
  });

  it('never overwrites a value written or deleted during the rewrap, even by a process on the old key', async () => {
    const storage = new TestStorage();
    const { store, keyRing } = await processOn(storage);
    await seed(store);
    const oldKey = keyRing.activeId;
    const stale = own(new SecretStore({ storage, keyRing: own(KeyRing.fromKeys({ active: oldKey, keys: [keyRing.activeKey()] })) }));
    const [a, b, c] = [...VALUES.keys()];
    const hooked = new Set<string>();
    storage.beforeReplace = async (name) => {
      if (hooked.has(name)) return;
      hooked.add(name);
      if (name === a) await store.put(a, 'changed-during-rotation', 'bob'); // under the new key
      if (name === b) await stale.put(b, 'changed-by-a-stale-process', 'eve'); // under the old key
      if (name === c) await store.delete(c);
    };
    const report = await store.rotateKey();
    expect(report.failed).toEqual([]);
    expect(report.rewrapped).toBe(N - 2); // b was rewrapped on its second read; a was already new; c is gone
    expect(report.unchanged).toBe(2);
    expect(await store.get(a!)).toBe('changed-during-rotation');
    expect(await store.get(b!)).toBe('changed-by-a-stale-process');
    await expect(store.get(c!)).rejects.toMatchObject({ code: 'not_found' });
    expect(new Set(storage.dump().map((r) => r.keyId))).toEqual(new Set([report.activeKeyId]));
  });

  it('an abort stops between secrets; the rewrap resumes later', async () => {
    const storage = new TestStorage();
    const { store } = await processOn(storage);
    await seed(store);
    const ac = new AbortController();
    storage.afterReplace = async () => {
      if (storage.replaces === 5) ac.abort(new AppError('timeout', 'Cannot rotate: timed out'));
    };
    expect(await rejection(store.rotateKey({ signal: ac.signal }))).toMatchObject({ code: 'timeout' });
    storage.afterReplace = undefined;
    expect(storage.replaces).toBe(5);
    await expectAllReadable(store);
    expect((await store.rewrap()).rewrapped).toBe(N - 5);
  });

  it('disposing the store mid-rotation aborts the rewrap cleanly', async () => {
    const storage = new TestStorage();
    const { store, keyRing } = await processOn(storage);
    await seed(store);
    let disposing: Promise<void> | undefined;
    storage.afterReplace = async () => {
      if (storage.replaces === 3) disposing = store[Symbol.asyncDispose]();
    };
    expect(await rejection(store.rotateKey())).toMatchObject({ code: 'unavailable', message: 'Cannot finish: the secret store is closing' });
    await disposing;
    storage.afterReplace = undefined;
    expect(storage.replaces).toBe(3);
    const next = own(new SecretStore({ storage, keyRing }));
    await expectAllReadable(next);
  });

  it('environment keys rotate by configuration: new key active, old one decrypt-only, rewrap, then drop it', async () => {
    const storage = new TestStorage();
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const ring = async (env: Record<string, string>) => own(await KeyRing.open(resolveKeySource({ env, defaultFile: path })));
    const before = own(new SecretStore({ storage, keyRing: await ring({ WORKBENCH_SECRET_KEY: a }) }));
    await seed(before);
    expect(((await rejection(before.rotateKey())) as AppError).message).toMatch(/change the environment instead/);
    const during = own(new SecretStore({ storage, keyRing: await ring({ WORKBENCH_SECRET_KEY: b, WORKBENCH_SECRET_DECRYPT_KEYS: a }) }));
    await expectAllReadable(during);
    expect((await during.rewrap()).rewrapped).toBe(N);
    const after = own(new SecretStore({ storage, keyRing: await ring({ WORKBENCH_SECRET_KEY: b }) }));
    await expectAllReadable(after);
    await expect(fsp.stat(path)).rejects.toThrow(); // no key file involved
  });
});
