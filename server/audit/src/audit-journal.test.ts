/**
 * The audit log's journal on the embedded store (journal.ts, audit-log.ts):
 * a record is in the journal file and flushed before `durable` resolves,
 * reaches `audit_log` in a batch (and at once for anyone reading the log),
 * survives the writing process being SIGKILLed (a real child process on
 * the compiled packages) and is copied exactly once at the next start; a
 * damaged line is reported and the rest kept; a line cut short is dropped;
 * the ring never overwrites a line not yet copied; a journal of another
 * database is moved aside; a closed or refusing store makes appends fail
 * closed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@workbench/core';
import { openStore, sql, type MetadataStore } from '@workbench/store';
import { testDatabases, type TestDatabases } from '@workbench/store/testing';
import { AuditLog } from './audit-log';
import type { AuditEntry } from './chain';
import { parse } from './journal';

const entry = (i: number): AuditEntry => ({ actor: 'ann', actorRole: 'analyst', via: 'token', resource: 'contents', action: 'read', target: `ledger-${i}.csv`, ip: '127.0.0.1', userAgent: 'jest', outcome: 'ok', detail: { request_id: `r${i}`, n: i } });

/** A logger that keeps what was said at warn and error. */
function recordingLogger(): Logger & { said: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const said: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const logger = {
    said,
    debug() {},
    info() {},
    warn: (fields: object, msg: string) => void said.push({ level: 'warn', msg, fields: fields as Record<string, unknown> }),
    error: (fields: object, msg: string) => void said.push({ level: 'error', msg, fields: fields as Record<string, unknown> }),
    child: () => logger,
  };
  return logger;
}

/** The records in audit_log itself (not through the log, which would copy what waits first). */
async function stored(store: MetadataStore): Promise<string[]> {
  const rows = await store.db.selectFrom('audit_log').select(['seq', 'target']).orderBy('seq').execute();
  return rows.map((r) => r.target!);
}

/**
 * A separate Node process on the compiled packages: opens the store and the
 * journaled log, copies `copied` records into the store, then journals
 * `pending` more (each on disk), says "ready" and waits to be killed.
 */
async function crashAfter(where: string | { url: string; journal: string }, copied: number, pending: number): Promise<void> {
  const storeOptions = typeof where === 'string' ? { sqlitePath: where } : { url: where.url };
  const journal = typeof where === 'string' ? { copyDelayMs: 3_600_000 } : { copyDelayMs: 3_600_000, path: where.journal };
  const repo = resolve(__dirname, '../../..');
  const script = `
    const { openStore } = require(${JSON.stringify(join(repo, 'server/store/lib'))});
    const { AuditLog } = require(${JSON.stringify(join(repo, 'server/audit/lib'))});
    const entry = ${entry.toString()};
    (async () => {
      const store = await openStore(${JSON.stringify(storeOptions)});
      const log = await AuditLog.open({ store, journal: ${JSON.stringify(journal)} });
      for (let i = 1; i <= ${copied}; i++) await (await log.append(entry(i))).durable;
      await log.settled();
      await store.deferredFlush?.flush();
      for (let i = ${copied} + 1; i <= ${copied + pending}; i++) await (await log.append(entry(i))).durable;
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    })().catch((err) => { console.error(err); process.exit(3); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((done) => child.on('exit', (code, signal) => done(signal ?? code)));
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ready());
    void exited.then((how) => fail(new Error(`the writer ended (${String(how)}) before it was ready: ${err}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe('audit journal (embedded store)', () => {
  let dbs: TestDatabases;
  let sqlitePath: string;
  let store: MetadataStore;
  const logs: AuditLog[] = [];

  beforeAll(() => {
    dbs = testDatabases('sqlite');
  });
  beforeEach(async () => {
    ({ sqlitePath } = (await dbs.create()) as { sqlitePath: string });
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log[Symbol.asyncDispose]();
    await store?.[Symbol.asyncDispose]();
    store = undefined!;
  });
  afterAll(async () => {
    await dbs[Symbol.asyncDispose]();
  });

  async function open(options: { copyDelayMs?: number; bytes?: number; path?: string; logger?: Logger } = {}): Promise<AuditLog> {
    store ??= await openStore({ sqlitePath });
    const { logger, ...journal } = options;
    const log = await AuditLog.open({ store, logger, journal: { copyDelayMs: 3_600_000, ...journal } });
    logs.push(log);
    return log;
  }

  it('a record is in the journal and on disk when `durable` resolves, reaches audit_log in a batch, and anyone reading the log sees it', async () => {
    const log = await open();
    const first = await log.append(entry(1));
    await first.durable;
    const journal = readFileSync(`${sqlitePath}-audit`);
    expect(parse(journal, journal.indexOf(0x0a) + 1).entries.map((e) => e.fields.target)).toEqual(['ledger-1.csv']);
    // Not copied yet (the batch waits): audit_log itself does not have it...
    expect(await stored(store)).toEqual([]);
    // ...but the log does, and its sequence number is known when asked.
    expect((await log.query()).map((r) => r.target)).toEqual(['ledger-1.csv']);
    await (await log.append(entry(2))).durable;
    expect(await (await log.append(entry(3))).seq()).toBe(3);
    expect(await stored(store)).toEqual(['ledger-1.csv', 'ledger-2.csv', 'ledger-3.csv']);
    await expect(log.verify()).resolves.toMatchObject({ ok: true, count: 3 });
  });

  it('a writer SIGKILLed after its records were flushed: the next start copies each record not yet copied, once, and the chain verifies', async () => {
    await crashAfter(sqlitePath, 2, 3);
    store = await openStore({ sqlitePath });
    expect(await stored(store)).toEqual(['ledger-1.csv', 'ledger-2.csv']);
    const logger = recordingLogger();
    const log = await open({ logger });
    expect(await stored(store)).toEqual([1, 2, 3, 4, 5].map((i) => `ledger-${i}.csv`));
    expect(logger.said).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/copied into the log/), fields: expect.objectContaining({ count: 3 }) })]);
    // Writing starts over after the header; a second start copies nothing twice.
    await (await log.append(entry(6))).durable;
    await log[Symbol.asyncDispose]();
    logs.splice(0);
    await open();
    expect(await stored(store)).toHaveLength(6);
    await expect(logs[0]!.verify()).resolves.toMatchObject({ ok: true, count: 6 });
  });

  it('a damaged line is reported (file copied aside) and every readable line is still copied; a line cut short by the crash is dropped quietly', async () => {
    await crashAfter(sqlitePath, 0, 3);
    const file = `${sqlitePath}-audit`;
    const text = readFileSync(file);
    const lineStarts = [text.indexOf(0x0a) + 1];
    for (let i = 0; i < 3; i++) lineStarts.push(text.indexOf(0x0a, lineStarts[i]!) + 1);
    // Line 2 damaged in place (same length, no longer JSON); a fourth line cut short after line 3.
    text.fill('#'.charCodeAt(0), lineStarts[1]!, lineStarts[2]! - 1);
    const torn = Buffer.from('{"n":4,"ts":17');
    torn.copy(text, lineStarts[3]!);
    writeFileSync(file, text);
    const logger = recordingLogger();
    await open({ logger });
    expect(await stored(store)).toEqual(['ledger-1.csv', 'ledger-3.csv']);
    const damaged = logger.said.find((s) => s.level === 'error')!;
    expect(damaged).toMatchObject({ msg: expect.stringMatching(/could not be read back/), fields: { missing: [2] } });
    expect(existsSync(damaged.fields.copy as string)).toBe(true);
    expect(logger.said.filter((s) => s.level === 'error')).toHaveLength(1);
  });

  it('the ring starts over once everything is copied, and never overwrites a line not yet copied', async () => {
    const log = await open({ bytes: 2048 });
    for (let i = 1; i <= 30; i++) {
      await (await log.append(entry(i))).durable;
      await log.settled();
      await store.deferredFlush!.flush();
    }
    expect(statSync(`${sqlitePath}-audit`).size).toBe(2048);
    // Nothing copied: the file grows rather than overwrite.
    for (let i = 31; i <= 50; i++) await (await log.append(entry(i))).durable;
    const text = readFileSync(`${sqlitePath}-audit`);
    expect(text.length).toBeGreaterThan(2048);
    const inFile = new Set(parse(text, text.indexOf(0x0a) + 1).entries.map((e) => e.n));
    for (let n = 31; n <= 50; n++) expect(inFile.has(n)).toBe(true);
    await expect(log.verify()).resolves.toMatchObject({ ok: true, count: 50 });
  });

  it('one writer per journal: a second server on the same data directory is refused while the first lives; a lock left by a dead one is taken over', async () => {
    // Another live process holds the journal (its pid in the lock file, as a server's).
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const gone = new Promise<void>((done) => other.once('exit', () => done()));
    try {
      mkdirSync(dirname(sqlitePath), { recursive: true });
      writeFileSync(`${sqlitePath}-audit.lock`, String(other.pid));
      await expect(open()).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(new RegExp(`another Workbench server \\(pid ${other.pid}\\) writes it`)) });
    } finally {
      other.kill('SIGKILL');
      await gone;
    }
    // Its process is gone: the lock is taken over, and let go when the log closes.
    const log = await open();
    expect(JSON.parse(readFileSync(`${sqlitePath}-audit.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await (await log.append(entry(1))).durable;
    await log[Symbol.asyncDispose]();
    logs.splice(0);
    expect(existsSync(`${sqlitePath}-audit.lock`)).toBe(false);
  });

  it("a journal another database wrote is moved aside, not copied into this one", async () => {
    const journalPath = join(dirname(sqlitePath), 'shared-journal');
    await crashAfter(sqlitePath, 0, 2);
    // The crashed writer used the default path; put its journal where the other database will look.
    writeFileSync(journalPath, readFileSync(`${sqlitePath}-audit`));
    ({ sqlitePath } = (await dbs.create()) as { sqlitePath: string });
    const logger = recordingLogger();
    const log = await open({ path: journalPath, logger });
    expect(await stored(store)).toEqual([]);
    expect(logger.said).toEqual([expect.objectContaining({ level: 'error', msg: expect.stringMatching(/belongs to another database/) })]);
    expect(readdirSync(dirname(journalPath)).some((f) => f.startsWith('shared-journal.other-database-'))).toBe(true);
    await (await log.append(entry(9))).durable;
    expect((await log.query()).map((r) => r.target)).toEqual(['ledger-9.csv']);
  });

  it('fails closed: a closed store refuses appends (nothing journaled); a store refusing the copy refuses the next appends until it takes it', async () => {
    const log = await open();
    await (await log.append(entry(1))).durable;
    await sql`create trigger refuse_audit before insert on audit_log begin select raise(abort, 'disk says no'); end`.execute(store.db);
    await (await log.append(entry(2))).durable; // journaled and on disk: not lost
    await expect(log.settled()).rejects.toMatchObject({ message: expect.stringMatching(/disk says no/) });
    await expect(log.append(entry(3))).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Cannot record the action in the audit log/) });
    await sql`drop trigger refuse_audit`.execute(store.db);
    await (await log.append(entry(4))).durable;
    expect((await log.query()).map((r) => r.target)).toEqual(['ledger-1.csv', 'ledger-2.csv', 'ledger-4.csv']);

    const size = readFileSync(`${sqlitePath}-audit`).length;
    const before = parse(readFileSync(`${sqlitePath}-audit`), 0).entries.length;
    await store[Symbol.asyncDispose]();
    await expect(log.append(entry(5))).rejects.toMatchObject({ code: 'unavailable' });
    expect(readFileSync(`${sqlitePath}-audit`).length).toBe(size);
    expect(parse(readFileSync(`${sqlitePath}-audit`), 0).entries).toHaveLength(before);
  });
});

describe('audit journal on PostgreSQL (audit.journal: each replica its own journal)', () => {
  let dbs: TestDatabases;
  let url: string;
  let dir: string;
  const stores: MetadataStore[] = [];
  const logs: AuditLog[] = [];

  beforeAll(async () => {
    dbs = testDatabases('postgres');
    dir = await mkdtemp(join(tmpdir(), 'wb-audit-journal-'));
  });
  beforeEach(async () => {
    ({ url } = (await dbs.create()) as { url: string });
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log[Symbol.asyncDispose]();
    for (const store of stores.splice(0)) await store[Symbol.asyncDispose]();
  });
  afterAll(async () => {
    await dbs[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  async function replica(journal: string): Promise<AuditLog> {
    const store = await openStore({ url });
    stores.push(store);
    const log = await AuditLog.open({ store, journal: { path: join(dir, journal), copyDelayMs: 3_600_000 } });
    logs.push(log);
    return log;
  }

  it("a SIGKILLed replica's flushed records are copied once at its next start; two journaled replicas interleave into one chain that verifies", async () => {
    await crashAfter({ url, journal: join(dir, 'replica-a') }, 1, 2);
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    expect(await stored(stores[0]!)).toEqual(['ledger-1.csv', 'ledger-2.csv', 'ledger-3.csv']);
    for (let i = 4; i <= 9; i++) await (await (i % 2 ? a : b).append(entry(i))).durable;
    await b.settled();
    await a.settled();
    expect([...(await stored(stores[0]!))].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `ledger-${i}.csv`).sort());
    await expect(a.verify()).resolves.toMatchObject({ ok: true, count: 9 });
  });
});
