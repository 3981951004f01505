import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deferred, isAppError } from '@workbench/core';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors';
import { sql } from './kysely';
import type { UsersTable } from './schema';
import { openSqlite } from './sqlite';
import { advisoryLockKey, openStore, type MetadataStore } from './store';
import { postgresTestUrl, STORE_DIALECTS, testDatabases } from './testing';

function user(id: string, overrides: Partial<UsersTable> = {}): UsersTable {
  return {
    id,
    username: id,
    display_name: id,
    email: null,
    roles: '["viewer"]',
    roles_source: 'provider',
    provider_roles: null,
    source: 'local',
    oidc_subject: null,
    oidc_issuer: null,
    created_at: 1,
    updated_at: 1,
    disabled_at: null,
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** File descriptors of this process open on `path` or its -wal/-shm files. */
function openFds(path: string): number {
  const fds = readdirSync('/proc/self/fd');
  let n = 0;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(path)) n++;
    } catch {
      // closed while listing (the directory listing's own fd)
    }
  }
  return n;
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe.each(STORE_DIALECTS)('store on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;

  beforeAll(async () => {
    store = await openStore(await databases.create());
  });
  afterAll(async () => {
    try {
      await store?.[Symbol.asyncDispose]();
    } finally {
      await databases[Symbol.asyncDispose]();
    }
  });

  test('times, seqs, counts and maxima come back as the same JS numbers', async () => {
    const maxDate = 8_640_000_000_000_000; // new Date(8.64e15) is the last valid Date
    const endOfJanuary = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    await store.db.insertInto('users').values(user('time', { created_at: 0, updated_at: maxDate, disabled_at: endOfJanuary })).execute();
    const row = await store.db.selectFrom('users').select(['created_at', 'updated_at', 'disabled_at']).where('id', '=', 'time').executeTakeFirstOrThrow();
    // Spread: better-sqlite3 builds rows outside jest's realm (it is loaded with Node's own require, see sqlite.ts), so their prototype is not this realm's Object.
    expect({ ...row }).toStrictEqual({ created_at: 0, updated_at: maxDate, disabled_at: endOfJanuary });

    const { n } = await store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(n).toStrictEqual(1);

    for (const seq of [1, 2, 3]) {
      await store.db
        .insertInto('audit_log')
        .values({ seq, ts: endOfJanuary + seq, via: 'system', resource: 'store', action: 'test', outcome: 'ok', prev_hash: '', hash: `h${seq}` })
        .execute();
    }
    const audit = await store.db.selectFrom('audit_log').select(['seq', 'ts', 'detail']).orderBy('seq').execute();
    expect(audit.map((r) => ({ ...r }))).toStrictEqual([1, 2, 3].map((seq) => ({ seq, ts: endOfJanuary + seq, detail: '{}' })));
    const last = await store.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow();
    expect(last.seq).toStrictEqual(3);
  });

  test('unique and foreign-key violations are recognised on this dialect', async () => {
    await store.db.insertInto('users').values(user('uniq')).execute();
    const dup = await rejection(store.db.insertInto('users').values(user('uniq2', { username: 'uniq' })).execute());
    expect(isUniqueViolation(dup)).toBe(true);
    expect(isForeignKeyViolation(dup)).toBe(false);
    const orphan = await rejection(
      store.db
        .insertInto('api_tokens')
        .values({ id: 'orphan', user_id: 'nobody', name: 'x', token_hash: 'orphan', prefix: 'x', created_at: 1, last_used_at: null, expires_at: null, revoked_at: null })
        .execute(),
    );
    expect(isForeignKeyViolation(orphan)).toBe(true);
    expect(isUniqueViolation(orphan)).toBe(false);
    const audit = { seq: 1000, ts: 1, via: 'system', resource: 'store', action: 'test', outcome: 'ok', prev_hash: '', hash: 'h' } as const;
    await store.db.insertInto('audit_log').values(audit).execute();
    expect(isUniqueViolation(await rejection(store.db.insertInto('audit_log').values(audit).execute()))).toBe(true);
  });

  test("deleting a user deletes the user's tokens and sessions", async () => {
    await store.db.insertInto('users').values([user('gone'), user('kept')]).execute();
    for (const [id, owner] of [['t-gone', 'gone'], ['t-kept', 'kept']]) {
      await store.db
        .insertInto('api_tokens')
        .values({ id: id!, user_id: owner!, name: id!, token_hash: id!, prefix: 'p', created_at: 1, last_used_at: null, expires_at: null, revoked_at: null })
        .execute();
      await store.db
        .insertInto('sessions')
        .values({ id: `s-${owner}`, user_id: owner!, created_at: 1, expires_at: 2, last_seen_at: 1, revoked_at: null, refresh_token_ciphertext: null, id_token_hint_ciphertext: null, user_agent: null, ip: null })
        .execute();
    }
    await store.db.deleteFrom('users').where('id', '=', 'gone').execute();
    expect(await store.db.selectFrom('api_tokens').select('id').where('id', 'in', ['t-gone', 't-kept']).execute()).toEqual([{ id: 't-kept' }]);
    expect(await store.db.selectFrom('sessions').select('id').where('id', 'in', ['s-gone', 's-kept']).execute()).toEqual([{ id: 's-kept' }]);
  });

  test('transaction commits when its function resolves and rolls back when it throws', async () => {
    await store.transaction((trx) => trx.insertInto('secrets').values({ name: 'a', ciphertext: 'c', key_id: 'k1', created_at: 1, updated_at: 1, created_by: null }).execute());
    const boom = new Error('boom');
    await expect(
      store.transaction(async (trx) => {
        await trx.insertInto('secrets').values({ name: 'b', ciphertext: 'c', key_id: 'k1', created_at: 1, updated_at: 1, created_by: null }).execute();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await store.db.selectFrom('secrets').select('name').orderBy('name').execute()).toEqual([{ name: 'a' }]);
  });

  if (dialect === 'postgres') {
    test('lock holds a named lock until the transaction ends, across connections', async () => {
      const key = advisoryLockKey('audit_log');
      const tryLock = () =>
        store.transaction(async (trx) => (await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${key}::bigint) as got`.execute(trx)).rows[0]!.got);
      const released = deferred<void>();
      const locked = deferred<void>();
      const holder = store.transaction(async (trx) => {
        await store.lock(trx, 'audit_log');
        locked.resolve();
        await released.promise;
      });
      await locked.promise;
      expect(await tryLock()).toBe(false);
      released.resolve();
      await holder;
      expect(await tryLock()).toBe(true);
    });

    test('a bigint outside the safe integer range fails the query instead of losing precision', async () => {
      await expect(sql`select 9007199254740993::bigint as n`.execute(store.db)).rejects.toThrow(/outside the safe integer range/);
      expect((await sql<{ n: number }>`select 9007199254740991::bigint as n`.execute(store.db)).rows).toStrictEqual([{ n: 9007199254740991 }]);
    });
  }

  if (dialect === 'sqlite') {
    test('the file is 0600 in a new 0700 folder, WAL, synchronous FULL, foreign keys on, busy timeout set', async () => {
      const path = databases.created[0]!;
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2); // FULL
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    });

    test('a transaction holds the write lock from BEGIN, even before it writes', async () => {
      const other = openSqlite(databases.created[0]!, { busyTimeoutMs: 0 });
      try {
        const released = deferred<void>();
        const begun = deferred<void>();
        const holder = store.transaction(async (trx) => {
          await trx.selectFrom('users').select('id').execute();
          begun.resolve();
          await released.promise;
        });
        await begun.promise;
        expect(() => other.prepare('begin immediate').run([])).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
        released.resolve();
        await holder;
        other.prepare('begin immediate').run([]);
        other.prepare('rollback').run([]);
      } finally {
        other.close();
      }
    });
  }
});

describe.each(STORE_DIALECTS)('opening and disposing on %s', (dialect) => {
  const databases = testDatabases(dialect);
  afterAll(() => databases[Symbol.asyncDispose]());

  test('dispose is idempotent and leaves no file descriptor or socket open', async () => {
    const options = await databases.create();
    const sockets = tcpSockets();
    const store = await openStore(options);
    await store.db.selectFrom('users').selectAll().execute();
    if (dialect === 'sqlite') expect(openFds(options.sqlitePath!)).toBeGreaterThan(0);
    else expect(tcpSockets()).toBeGreaterThan(sockets);
    await Promise.all([store[Symbol.asyncDispose](), store[Symbol.asyncDispose]()]);
    await store[Symbol.asyncDispose]();
    if (dialect === 'sqlite') expect(openFds(options.sqlitePath!)).toBe(0);
    expect(tcpSockets()).toBe(sockets);
    await expect(store.db.selectFrom('users').selectAll().execute()).rejects.toThrow();
  });

  test('an already aborted signal opens nothing', async () => {
    const options = await databases.create();
    const reason = new Error('shutting down');
    await expect(openStore({ ...options, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    if (dialect === 'sqlite') expect(() => statSync(options.sqlitePath!)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  if (dialect === 'postgres') {
    test('a database that does not exist is a clear unavailable error without credentials', async () => {
      const sockets = tcpSockets();
      const url = postgresTestUrl('wb_store_missing_database').replace('@', ':hunter2@');
      const err = await rejection(openStore({ url }));
      expect(isAppError(err, 'unavailable')).toBe(true);
      expect((err as Error).message).toMatch(/^Cannot open the metadata store: PostgreSQL at .*\/wb_store_missing_database: .*does not exist/);
      expect((err as Error).message).not.toContain('hunter2');
      expect(tcpSockets()).toBe(sockets);
    });
  }

  if (dialect === 'sqlite') {
    test('neither url nor sqlitePath is a programming error', async () => {
      await expect(openStore({})).rejects.toMatchObject({ code: 'internal' });
    });

    test('a path that cannot be created is a clear unavailable error', async () => {
      const options = await databases.create();
      const blocker = join(dirname(options.sqlitePath!), 'file');
      const first = await openStore({ sqlitePath: blocker });
      await first[Symbol.asyncDispose]();
      await expect(openStore({ sqlitePath: join(blocker, 'below', 'workbench.db') })).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/^Cannot open the metadata store at .*below\/workbench\.db: /),
      });
    });
  }
});
