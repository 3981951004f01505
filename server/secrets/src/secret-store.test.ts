import { randomBytes } from 'node:crypto';
import type { Logger } from '@workbench/core';
import { KeyRing } from './key-ring';
import { MemorySecretStorage } from './memory-secret-storage';
import { SecretStore } from './secret-store';
import { rejection } from './testing';


/** A Logger that keeps every line, to check what would have been written. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

const PASSWORD = 'S3cr3t-p@ss "with" quotes/and\\slashes';
const TOKEN = 'ghp_' + randomBytes(18).toString('hex');

describe('SecretStore', () => {
  let now = Date.parse('2026-03-01T10:00:00Z');
  const clock = { now: () => now };
  const opened: (SecretStore | KeyRing)[] = [];
  function make(storage = new MemorySecretStorage(), keyRing = KeyRing.generate({ clock })) {
    const store = new SecretStore({ storage, keyRing, clock });
    opened.push(store, keyRing);
    return { store, storage, keyRing };
  }
  afterEach(async () => {
    for (const o of opened.splice(0)) await o[Symbol.asyncDispose]();
  });

  it('puts, gets, lists and deletes', async () => {
    const { store } = make();
    const meta = await store.put('warehouse/password', PASSWORD, 'alice');
    expect(meta).toEqual({ name: 'warehouse/password', keyId: expect.stringMatching(/^k[0-9a-f]{8}$/), createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z', createdBy: 'alice' });
    await store.put('github:token', TOKEN, 'bob');
    expect(await store.get('warehouse/password')).toBe(PASSWORD);
    expect(await store.get('github:token')).toBe(TOKEN);
    expect((await store.list()).map((m) => m.name)).toEqual(['github:token', 'warehouse/password']);

    now += 60_000;
    const replaced = await store.put('warehouse/password', 'n3w-password', 'carol');
    expect(replaced).toMatchObject({ createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:01:00.000Z', createdBy: 'alice' });
    expect(await store.get('warehouse/password')).toBe('n3w-password');

    expect(await store.delete('warehouse/password')).toBe(true);
    expect(await store.delete('warehouse/password')).toBe(false);
    const err = await rejection(store.get('warehouse/password'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('Cannot read secret "warehouse/password": there is no such secret');
  });

  it('never lets a value into what is stored, listed or serialized', async () => {
    const { store, storage } = make();
    await store.put('a', PASSWORD, 'alice');
    await store.put('b', TOKEN, 'alice');
    const everything = JSON.stringify({ rows: storage.dump(), list: await store.list(), usage: await store.keyUsage() });
    for (const v of [PASSWORD, TOKEN, 'S3cr3t', TOKEN.slice(4), Buffer.from(PASSWORD).toString('base64'), Buffer.from(TOKEN).toString('base64url')]) {
      expect(everything).not.toContain(v);
    }
    expect(JSON.stringify(await store.list())).not.toContain('ciphertext');
  });

  it('validates names and values', async () => {
    const { store } = make();
    for (const name of ['', ' x', '-x', 'a b', 'x'.repeat(201), 'ä', 'a\nb']) {
      const err = await rejection(store.put(name, 'value', 'alice'));
      expect(err.code).toBe('bad_request');
      expect(err.message).toMatch(/names are 1 to 200 characters/);
    }
    expect((await rejection(store.put('n', '', 'alice'))).message).toBe('Cannot store secret "n": the value is empty');
    expect((await rejection(store.put('n', 'ab\uD800cd', 'alice'))).message).toMatch(/not valid Unicode text/);
    expect((await rejection(store.put('n', 'x'.repeat(64 * 1024 + 1), 'alice'))).code).toBe('payload_too_large');
    await store.put('n', 'x'.repeat(64 * 1024), 'alice');
    expect(await store.list()).toHaveLength(1);
  });

  it('a ciphertext copied to another name (or another row with the right key id) does not decrypt', async () => {
    const { store, storage } = make();
    await store.put('prod/db', PASSWORD, 'alice');
    await store.put('dev/db', 'dev-password', 'alice');
    const prod = storage.dump().find((r) => r.name === 'prod/db')!;
    storage.setRaw({ ...prod, name: 'dev/db' });
    const err = await rejection(store.get('dev/db'));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/^Cannot decrypt secret "dev\/db": the data key failed authentication/);
    expect(err.message).not.toContain(PASSWORD);
    expect(await store.get('prod/db')).toBe(PASSWORD);
  });

  it('detects tampering in every part of a stored ciphertext', async () => {
    const { store, storage } = make();
    await store.put('n', PASSWORD, 'alice');
    const row = storage.dump()[0]!;
    const parts = row.ciphertext.split(':');
    for (let part = 2; part < 5; part++) {
      for (const at of [0, 7, -1]) {
        const bytes = Buffer.from(parts[part]!, 'base64url');
        bytes[(at + bytes.length) % bytes.length]! ^= 0x80;
        const tampered = [...parts];
        tampered[part] = bytes.toString('base64url');
        storage.setRaw({ ...row, ciphertext: tampered.join(':') });
        const err = await rejection(store.get('n'));
        expect(err.code).toBe('internal');
        expect(err.message).not.toContain(PASSWORD);
        expect(JSON.stringify(err)).not.toContain(PASSWORD);
      }
    }
    storage.setRaw({ ...row, ciphertext: ['wb9', ...parts.slice(1)].join(':') });
    expect((await rejection(store.get('n'))).message).toMatch(/unsupported version "wb9"/);
    storage.setRaw(row);
    expect(await store.get('n')).toBe(PASSWORD);
  });

  it('a ciphertext naming a key the ring does not hold is a clear unavailable error', async () => {
    const storage = new MemorySecretStorage();
    const { store: writer, keyRing } = make(storage);
    await writer.put('n', PASSWORD, 'alice');
    const { store: reader } = make(storage, KeyRing.generate()); // another key file
    const err = await rejection(reader.get('n'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe(
      `Cannot decrypt secret "n": its key ${keyRing.activeId} is not in the key ring (it was retired, or this is not the key file or WORKBENCH_SECRET_KEY it was written with)`,
    );
    expect(err.details).toEqual({ missingKeyId: keyRing.activeId });
    expect(await reader.keyUsage()).toEqual([
      { id: expect.any(String), created: expect.any(String), active: true, secrets: 0, missing: false },
      { id: keyRing.activeId, secrets: 1, missing: true },
    ]);
  });

  it('a same-id key with different bytes fails authentication instead of returning garbage', async () => {
    const storage = new MemorySecretStorage();
    const { store: writer, keyRing } = make(storage);
    await writer.put('n', PASSWORD, 'alice');
    const impostor = KeyRing.fromKeys({ active: keyRing.activeId, keys: [{ id: keyRing.activeId, key: randomBytes(32) }] });
    const { store: reader } = make(storage, impostor);
    const err = await rejection(reader.get('n'));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/the key file holds a different key with this id/);
  });

  it('redacts every value it has stored or read, including replaced and deleted ones', async () => {
    const { store } = make();
    expect(store.redact(`password=${PASSWORD}`)).toBe(`password=${PASSWORD}`);
    await store.put('db', PASSWORD, 'alice');
    await store.put('gh', TOKEN, 'alice');
    await store.put('pin', 'abc', 'alice'); // too short to redact: see redactor.ts
    const line = `connect failed for postgres://app:${encodeURIComponent(PASSWORD)}@db:5432 with ${JSON.stringify({ token: TOKEN, pin: 'abc' })}`;
    expect(store.redact(line)).toBe('connect failed for postgres://app:[REDACTED]@db:5432 with {"token":"[REDACTED]","pin":"abc"}');
    await store.put('db', 'rotated-password', 'alice');
    await store.delete('gh');
    expect(store.redact(`${PASSWORD} ${TOKEN} rotated-password`)).toBe('[REDACTED] [REDACTED] [REDACTED]');
  });

  it('open() loads every stored value into the redactor and reports undecryptable ones by name only', async () => {
    const storage = new MemorySecretStorage();
    const { store: writer, keyRing } = make(storage);
    await writer.put('a', PASSWORD, 'alice');
    await writer.put('b', TOKEN, 'alice');
    const foreign = make(storage).store; // another key ring
    await foreign.put('c', 'value-under-another-key', 'mallory');
    const tampered = storage.dump().find((r) => r.name === 'b')!;
    storage.setRaw({ ...tampered, name: 'd' }); // copied row: fails authentication

    const logger = capturingLogger();
    const store = await SecretStore.open({ storage, keyRing, logger });
    opened.push(store);
    expect(store.redact(`${PASSWORD} / ${TOKEN}`)).toBe('[REDACTED] / [REDACTED]');
    expect(logger.lines.some((l) => l.startsWith('error Cannot decrypt a stored secret') && l.includes('"secret":"d"'))).toBe(true);
    expect(logger.lines.some((l) => l.startsWith('error Stored secrets name a key the key ring does not hold') && l.includes('"secrets":1'))).toBe(true);
    for (const l of logger.lines) for (const v of [PASSWORD, TOKEN, 'value-under-another-key']) expect(l).not.toContain(v);
  });

  it('refuses use after dispose, and dispose is idempotent', async () => {
    const { store } = make();
    await store.put('n', PASSWORD, 'alice');
    await Promise.all([store[Symbol.asyncDispose](), store[Symbol.asyncDispose]()]);
    expect((await rejection(Promise.resolve().then(() => store.get('n')))).message).toBe('Cannot use secrets: the secret store is closed');
    expect(store.redact(PASSWORD)).toBe(PASSWORD); // forgotten with the store
  });
});
