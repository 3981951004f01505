/**
 * The audit log on both dialects of the metadata store: records chain,
 * queries filter with bound parameters, exports, verify names records
 * edited, removed or reordered directly in the database, concurrent
 * writers never fork the chain, and a store that cannot be written makes
 * `record` fail (callers fail closed).
 */
import { openStore, sql, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases, type TestDatabases } from '@workbench/store/testing';
import { AuditLog } from './audit-log';
import type { AuditEntry } from './chain';

const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: i % 2 ? 'ann' : 'bob',
  actorRole: 'analyst',
  via: 'token',
  resource: i % 3 ? 'kernels' : 'contents',
  action: i % 3 ? 'execute' : 'read',
  target: `target-${i}`,
  ip: '127.0.0.1',
  userAgent: 'jest',
  outcome: 'ok',
  detail: { code_sha256: `h${i}`, n: i },
  ...over,
});

describe.each(STORE_DIALECTS)('audit log on %s', (dialect) => {
  let dbs: TestDatabases;
  let store: MetadataStore;
  let log: AuditLog;
  let now: number;
  let opts: { url?: string; sqlitePath?: string };

  beforeAll(() => {
    dbs = testDatabases(dialect);
  });
  beforeEach(async () => {
    opts = await dbs.create();
    store = await openStore(opts);
    now = 1_800_000_000_000;
    log = new AuditLog({ store, clock: () => now++ });
  });
  afterEach(async () => {
    await store[Symbol.asyncDispose]();
  });
  afterAll(async () => {
    await dbs[Symbol.asyncDispose]();
  });

  async function write(n: number): Promise<void> {
    for (let i = 1; i <= n; i++) await log.record(entry(i));
  }

  it('chains each record to the one before and verifies', async () => {
    const a = await log.record(entry(1));
    const b = await log.record(entry(2));
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    await expect(log.verify()).resolves.toEqual({ ok: true, count: 2, head: { seq: 2, hash: b.hash } });
    expect(await log.query()).toEqual([a, b]);
  });

  it('filters by time, user, action and resource, with injection attempts treated as plain values', async () => {
    await write(12);
    const t0 = 1_800_000_000_000;
    expect((await log.query({ since: t0 + 3, until: t0 + 6 })).map((r) => r.seq)).toEqual([4, 5, 6]);
    expect((await log.query({ user: 'ann' })).every((r) => r.actor === 'ann')).toBe(true);
    expect((await log.query({ resource: 'contents', action: 'read' })).map((r) => r.seq)).toEqual([3, 6, 9, 12]);
    expect(await log.query({ user: "ann' OR '1'='1" })).toEqual([]);
    expect(await log.query({ action: 'read; DROP TABLE audit_log; --' })).toEqual([]);
    expect((await log.query({ limit: 5, afterSeq: 5 })).map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
    await expect(log.verify()).resolves.toMatchObject({ ok: true, count: 12 });
  });

  it('exports a period as JSON Lines and as CSV (quoted fields, no spreadsheet formulas)', async () => {
    await log.record(entry(1, { target: 'a,"b"\nc', detail: { sql_sha256: 'x' } }));
    await log.record(entry(2, { target: '=HYPERLINK("http://x")' }));
    const lines: string[] = [];
    for await (const l of log.export({}, 'jsonl')) lines.push(l);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { seq: 1, time: new Date(1_800_000_000_000).toISOString(), target: 'a,"b"\nc', detail: { sql_sha256: 'x' } },
      { seq: 2 },
    ]);
    let csv = '';
    for await (const l of log.export({}, 'csv')) csv += l;
    expect(csv.split('\r\n')[0]).toBe('seq,time,actor,actor_role,via,resource,action,target,ip,user_agent,outcome,detail,prev_hash,hash');
    expect(csv).toContain('"a,""b""\nc"');
    expect(csv).toContain(`'=HYPERLINK(""http://x"")`);
  });

  it('verify names a record edited, deleted or reordered directly in the store', async () => {
    await write(6);
    await sql`update audit_log set target = ${'forged'} where seq = 3`.execute(store.db);
    await expect(log.verify()).resolves.toMatchObject({ ok: false, seq: 3, problem: 'edited' });
    await sql`update audit_log set target = ${'target-3'} where seq = 3`.execute(store.db);
    await expect(log.verify()).resolves.toMatchObject({ ok: true, count: 6 });

    await sql`delete from audit_log where seq = 4`.execute(store.db);
    await expect(log.verify()).resolves.toMatchObject({ ok: false, seq: 5, problem: 'removed' });
  });

  it('verify names the first of two records whose places were swapped', async () => {
    await write(5);
    await sql`update audit_log set seq = 100 where seq = 2`.execute(store.db);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
    await sql`update audit_log set seq = 3 where seq = 100`.execute(store.db);
    await expect(log.verify()).resolves.toMatchObject({ ok: false, seq: 2, problem: 'reordered' });
  });

  it('concurrent writers never fork the chain', async () => {
    // PostgreSQL: a second store on the same database, as another gateway replica.
    // SQLite: the same store (its driver is synchronous, so a second handle in this
    // process would block the thread the first one's transaction needs; one
    // embedded server is one process, and BEGIN IMMEDIATE orders separate processes).
    const other = dialect === 'postgres' ? await openStore(opts) : store;
    try {
      const second = new AuditLog({ store: other });
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? log : second).record(entry(i))));
      const result = await log.verify();
      expect(result).toMatchObject({ ok: true, count: 40 });
    } finally {
      if (other !== store) await other[Symbol.asyncDispose]();
    }
  });

  it('rejects with "unavailable" when the store cannot be written', async () => {
    await store[Symbol.asyncDispose]();
    await expect(log.record(entry(1))).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Cannot record the action in the audit log/) });
    store = await openStore(await dbs.create()); // for afterEach
  });
});
