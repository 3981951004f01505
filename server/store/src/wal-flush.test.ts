/**
 * Deferred-flush writes on the SQLite store: they commit at synchronous =
 * NORMAL and say when an fdatasync has covered them, one fdatasync serves
 * the commits made before it started, a failing write rolls back, a write
 * waits for kysely's transaction, and whatever kysely runs afterwards is at
 * FULL again (its writes still wait for the disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferred } from '@workbench/core';
import { sql } from './kysely';
import { openSqlite, type SqliteHandle } from './sqlite';
import { openStore, type MetadataStore } from './store';
import { SyncLevel, type DeferredFlushWriter } from './wal-flush';

const FULL = 2;
const NORMAL = 1;

describe('deferred flush on SQLite', () => {
  let dir: string;
  let store: MetadataStore;
  let writer: DeferredFlushWriter;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-wal-flush-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    store = await openStore({ sqlitePath: join(dir, `${expect.getState().currentTestName!.replace(/\W+/g, '-')}.db`) });
    writer = store.deferredFlush!;
  });
  afterEach(async () => {
    await store[Symbol.asyncDispose]();
  });

  const synchronous = async () => Object.values((await sql.raw('pragma synchronous').execute(store.db)).rows[0] as object)[0];
  const secrets = async () => (await store.db.selectFrom('secrets').select('name').orderBy('name').execute()).map((r) => r.name);
  const insert = (name: string) => `insert into secrets (name, ciphertext, key_id, created_at, updated_at) values ('${name}', 'c', 'k', 1, 1)`;

  test('commits at once, is durable after its flush, and leaves kysely at FULL', async () => {
    let level: unknown;
    const { value, durable } = await writer.write((raw) => {
      raw.run(insert('a'));
      level = raw.get('pragma synchronous');
      return 'done';
    });
    expect(value).toBe('done');
    expect(level).toEqual({ synchronous: NORMAL });
    expect(await secrets()).toEqual(['a']);
    await durable;
    expect(await synchronous()).toBe(FULL);
  });

  test('one fdatasync serves every commit made before it started; later commits wait for the next', async () => {
    const a = await writer.write((raw) => raw.run(insert('a')));
    const [b, c] = await Promise.all([writer.write((raw) => raw.run(insert('b'))), writer.write((raw) => raw.run(insert('c')))]);
    // a's flush was under way when b and c committed: both wait for the one queued after it.
    expect(b.durable).toBe(c.durable);
    expect(b.durable).not.toBe(a.durable);
    await Promise.all([a.durable, b.durable, c.durable]);
  });

  test('a write that throws is rolled back', async () => {
    await expect(
      writer.write((raw) => {
        raw.run(insert('gone'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await secrets()).toEqual([]);
  });

  test("waits for kysely's transaction to end, then commits on its own", async () => {
    const release = deferred<void>();
    const begun = deferred<void>();
    const trx = store.transaction(async (t) => {
      await sql.raw(insert('in-trx')).execute(t);
      begun.resolve();
      await release.promise;
    });
    await begun.promise;
    let ran = false;
    const write = writer.write((raw) => {
      ran = true;
      raw.run(insert('after'));
    });
    await Promise.resolve();
    expect(ran).toBe(false);
    release.resolve();
    await trx;
    await (await write).durable;
    expect(ran).toBe(true);
    expect(await secrets()).toEqual(['after', 'in-trx']);
    expect(await synchronous()).toBe(FULL);
  });
});

describe('SyncLevel', () => {
  let dir: string;
  let handle: SqliteHandle;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-sync-level-'));
    handle = openSqlite(join(dir, 'm.db'), { busyTimeoutMs: 0 });
  });
  afterEach(() => {
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const level = () => handle.pragma('synchronous', { simple: true });

  test('stays NORMAL across deferred writes and is FULL again before any statement kysely prepares', () => {
    const sync = new SyncLevel(handle);
    const kysely = sync.strictHandle();
    sync.relax();
    sync.relax();
    expect(level()).toBe(NORMAL);
    kysely.prepare('select 1');
    expect(level()).toBe(FULL);
    expect(kysely.inTransaction).toBe(false);
    expect(kysely.open).toBe(true);
  });

  test('refuses to switch inside a transaction instead of running a statement at the wrong level', () => {
    const sync = new SyncLevel(handle);
    sync.relax();
    handle.prepare('begin immediate').run([]);
    try {
      expect(() => sync.strict()).toThrow(/transaction/);
    } finally {
      handle.prepare('rollback').run([]);
    }
  });
});
