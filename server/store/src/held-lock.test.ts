/**
 * Named locks held for long work (held-lock.ts): one holder at a time
 * across two opens of one database (two replicas on PostgreSQL; within one
 * process on SQLite), the next waiter gets it on release, an abort ends a
 * wait, and on PostgreSQL a holder's connection ending (a replica that
 * died) frees the lock without anyone releasing it.
 */
import { isAppError } from '@workbench/core';
import { sql } from './kysely';
import { openStore, type MetadataStore } from './store';
import { STORE_DIALECTS, testDatabases } from './testing';

describe.each(STORE_DIALECTS)('held locks on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let a: MetadataStore;
  let b: MetadataStore;
  afterAll(() => databases[Symbol.asyncDispose]());
  beforeEach(async () => {
    const options = await databases.create();
    a = await openStore(options);
    // PostgreSQL: a second replica. SQLite: one server per database, so the same store.
    b = dialect === 'postgres' ? await openStore(options) : a;
  });
  afterEach(async () => {
    if (b !== a) await b[Symbol.asyncDispose]();
    await a[Symbol.asyncDispose]();
  });

  test('one holder at a time; the waiter gets it once the holder releases; other names are free', async () => {
    const releaseA = await a.holdLock('env:x');
    expect(await b.tryHoldLock('env:x')).toBeUndefined();
    const other = await b.tryHoldLock('env:y');
    expect(other).toBeDefined();
    await other!();

    const order: string[] = [];
    const waiting = b.holdLock('env:x').then((release) => {
      order.push('b took it');
      return release;
    });
    // A round trip on the waiter's own store: had the lock been free, the waiter would have it by now.
    await sql`select 1`.execute(b.db);
    order.push('a releases');
    await releaseA();
    const releaseB = await waiting;
    expect(order).toEqual(['a releases', 'b took it']);
    expect(await a.tryHoldLock('env:x')).toBeUndefined();
    await releaseB();
    const again = await a.tryHoldLock('env:x');
    expect(again).toBeDefined();
    await again!();
  });

  test('an abort ends a wait with a clear error and leaves the lock to its holder', async () => {
    const release = await a.holdLock('env:x');
    const controller = new AbortController();
    const waiting = b.holdLock('env:x', controller.signal).then(
      () => 'took it',
      (err: unknown) => err,
    );
    await sql`select 1`.execute(b.db);
    controller.abort();
    const err = await waiting;
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect((err as Error).message).toBe('Cannot take the lock env:x: stopped waiting for it');
    expect(await b.tryHoldLock('env:x')).toBeUndefined();
    await release();
    const next = await b.tryHoldLock('env:x');
    expect(next).toBeDefined();
    await next!();
  });

  if (dialect === 'postgres') {
    test('a replica that dies (its connection ends) frees its lock; releasing never returns a locked connection to the pool', async () => {
      await a.holdLock('env:x');
      expect(await b.tryHoldLock('env:x')).toBeUndefined();
      // What PostgreSQL sees when a replica's process dies: its session ends.
      // (pg_locks is the whole cluster's: only this test's database, never another suite's connections.)
      const ended = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid() and database = (select oid from pg_database where datname = current_database())`.execute(b.db);
      expect(ended.rows[0]!.n).toBe(1);
      const release = await b.holdLock('env:x');
      await release();
      // Released by closing its connection: no session still holds an advisory lock.
      const left = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(b.db);
      expect(left.rows[0]!.n).toBe(0);
    });
  }
});
