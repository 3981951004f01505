/**
 * The audit trail of a running server: every data action of a scripted
 * session leaves exactly its record (counted), reading the log is for
 * admins, the chain verifies and names a record tampered with in the
 * store, exports work, and when the audit store cannot be written data
 * actions fail closed (nothing saved, no code run). Secrets stay out of
 * logs and kernels.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { KernelManager, SessionManager } from '@jupyterlab/services';
import { AuditJournal } from '@workbench/audit';
import { sql } from '@workbench/store';
import { testDatabases, type TestDatabases } from '@workbench/store/testing';
import type { Logger } from '@workbench/core';
import { api, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const VIEWER = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const NOTEBOOK = { type: 'notebook', content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: null }] } };

interface Rec {
  seq: number;
  actor: string;
  resource: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

/** The newest sequence number (this read is itself recorded, as every read of the log). */
async function lastSeq(ts: TestServer): Promise<number> {
  return Math.max(0, ...(await records(ts)).map((r) => r.seq));
}

/** Records after `seq`, without the reads of the log itself that checking them leaves. */
async function since(ts: TestServer, seq: number): Promise<Rec[]> {
  return (await records(ts)).filter((r) => r.seq > seq && r.resource !== 'audit');
}

async function records(ts: TestServer, query = ''): Promise<Rec[]> {
  const res = await api(ts, `api/audit?limit=1000${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { records: Rec[] }).records;
}

/** Lines a logger was given, to search for secrets. */
function capturingLogger(lines: string[]): Logger {
  const at = (level: string) => (fields: object, msg: string) => void lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

describe('audit trail', () => {
  let ts: TestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VIEWER], logger: capturingLogger(logLines) });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it("accepts JupyterLab's cache-busting timestamp parameter on queries and refuses other unknown parameters", async () => {
    expect((await api(ts, 'api/audit?limit=5&1765432100000')).status).toBe(200);
    const res = await api(ts, 'api/audit?limit=5&userr=alice');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('Cannot query the audit log: unknown parameter "userr"');
  });

  it('records each data action of a session exactly once, and nothing for listings and interface state', async () => {
    const before = await lastSeq(ts);
    // 1 save, 1 read of a notebook, 1 rename, a listing (not data), a settings save (interface state)
    expect((await api(ts, 'api/contents/ledger.ipynb', { method: 'PUT', body: JSON.stringify(NOTEBOOK) })).status).toBe(201);
    expect((await api(ts, 'api/contents/ledger.ipynb')).status).toBe(200);
    expect((await api(ts, 'api/contents/ledger.ipynb?content=0')).status).toBe(200);
    expect((await api(ts, 'api/contents')).status).toBe(200);
    expect((await api(ts, 'api/contents/ledger.ipynb', { method: 'PATCH', body: JSON.stringify({ path: 'close.ipynb' }) })).status).toBe(200);
    // 1 session start (kernel), 2 executes, 1 session delete
    const sessions = new SessionManager({ kernelManager: new KernelManager({ serverSettings: ts.settings }), serverSettings: ts.settings });
    const session = await sessions.startNew({ path: 'close.ipynb', name: 'close.ipynb', type: 'notebook', kernel: { name: 'python3' } });
    const kernel = session.kernel!;
    expect(await runCell(kernel, 'print(40 + 2)')).toEqual({ stdout: '42', error: undefined });
    expect(await runCell(kernel, 'y = 2')).toEqual({ stdout: '', error: undefined });
    await session.shutdown();
    sessions.dispose();

    const after = await since(ts, before);
    expect(after.map((r) => `${r.resource}:${r.action} ${r.target ?? ''} ${r.outcome}`)).toEqual([
      'contents:write ledger.ipynb ok',
      'contents:read ledger.ipynb ok',
      'contents:write ledger.ipynb ok',
      `sessions:write  ok`,
      `kernels:execute ${kernel.id} ok`,
      `kernels:execute ${kernel.id} ok`,
      `sessions:write ${session.id} ok`,
    ]);
    // The read names what was read, as the contents manager found it.
    expect(after[1]!.detail).toMatchObject({ method: 'GET', type: 'notebook' });
    const executes = after.filter((r) => r.action === 'execute');
    expect(executes[0]!.detail).toMatchObject({ kernel_name: 'python3', notebook: 'close.ipynb', code_sha256: createHash('sha256').update('print(40 + 2)').digest('hex'), code_bytes: 13 });
    expect(new Set(after.map((r) => r.actor)).size).toBe(1); // the server token's user, named in every record
  });

  it('a failed change leaves its record and a second one with the error', async () => {
    const before = await lastSeq(ts);
    const res = await api(ts, 'api/contents/missing.ipynb', { method: 'PATCH', body: JSON.stringify({ path: 'elsewhere.ipynb' }) });
    expect(res.status).toBe(404);
    const added = await since(ts, before);
    expect(added.map((r) => r.outcome)).toEqual(['ok', 'error']);
    expect(added[1]!.detail).toMatchObject({ status: 404 });
  });

  it('the log is for admins: a viewer is refused (and that refusal is recorded); bad or hostile query parameters are a 400', async () => {
    const before = await lastSeq(ts);
    expect((await api(ts, 'api/audit', { token: VIEWER.token })).status).toBe(403);
    expect((await api(ts, 'api/audit/verify', { token: VIEWER.token })).status).toBe(403);
    expect((await api(ts, "api/audit?user=admin'%20OR%20'1'='1")).status).toBe(400);
    expect((await api(ts, 'api/audit?since=yesterday')).status).toBe(400);
    expect((await api(ts, 'api/audit?limit=100000')).status).toBe(400);
    expect((await api(ts, 'api/audit?order=seq;drop')).status).toBe(400);
    const denied = (await records(ts)).filter((r) => r.seq > before && r.outcome === 'denied');
    expect(denied.map((r) => `${r.actor} ${r.resource}`)).toEqual(['vera audit', 'vera audit']);
  });

  it('filters, verifies, and exports JSON Lines and CSV', async () => {
    const mine = await records(ts, '&resource=kernels&action=execute');
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((r) => r.resource === 'kernels' && r.action === 'execute')).toBe(true);
    const verify = (await (await api(ts, 'api/audit/verify')).json()) as { ok: boolean; count: number };
    expect(verify.ok).toBe(true);
    const jsonl = await (await api(ts, 'api/audit/export?format=jsonl&resource=kernels')).text();
    const exported = jsonl.trim().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(exported.length).toBeGreaterThanOrEqual(mine.length);
    expect(exported.every((r) => r.resource === 'kernels')).toBe(true);
    const csv = await (await api(ts, 'api/audit/export?format=csv&resource=kernels&action=execute')).text();
    expect(csv.split('\r\n')[0]).toMatch(/^seq,time,actor,/);
    expect(csv.trim().split('\r\n')).toHaveLength(mine.length + 1);
  });

  it('verify names a record edited in the store behind the server\'s back', async () => {
    const all = await records(ts);
    const victim = all[2]!;
    await sql`update audit_log set target = ${'forged'} where seq = ${victim.seq}`.execute(ts.wb.metadata.db);
    try {
      expect(await (await api(ts, 'api/audit/verify')).json()).toMatchObject({ ok: false, seq: victim.seq, problem: 'edited' });
    } finally {
      await sql`update audit_log set target = ${victim.target} where seq = ${victim.seq}`.execute(ts.wb.metadata.db);
    }
    expect(await (await api(ts, 'api/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it('secrets never reach the log or a kernel; the server token does not reach a kernel', async () => {
    const secret = 'pg-Password-' + createHash('sha256').update('x').digest('hex').slice(0, 12);
    await ts.wb.secrets.put('odoo/password', secret, 'admin');
    ts.wb.logger.warn({ dsn: `postgres://odoo:${secret}@db/odoo` }, `connecting with ${secret}`);
    const kernels = new KernelManager({ serverSettings: ts.settings });
    const k = await kernels.startNew({ name: 'python3' });
    try {
      const { stdout } = await runCell(k, 'import os; print(repr(dict(os.environ)))');
      expect(stdout).not.toContain(secret);
      expect(stdout).not.toContain(ts.wb.config.token);
    } finally {
      await k.shutdown();
      kernels.dispose();
    }
    expect(logLines.join('\n')).not.toContain(secret);
    expect(logLines.some((l) => l.includes('connecting with [REDACTED]') || l.includes('connecting with'))).toBe(true);
    const rows = await ts.wb.metadata.db.selectFrom('secrets').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(await records(ts))).not.toContain(secret);
  });
});

describe('audit store that cannot be written: data actions fail closed', () => {
  let ts: TestServer;
  beforeAll(async () => {
    // No coverage check: the test closes the metadata store, so nothing can be read back at the end.
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { auditCoverage: false });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('refuses a save (503, nothing written) and runs no code (the client sees why)', async () => {
    const kernels = new KernelManager({ serverSettings: ts.settings });
    const k = await kernels.startNew({ name: 'python3' });
    try {
      await ts.wb.metadata[Symbol.asyncDispose]();
      const res = await api(ts, 'api/contents/refused.ipynb', { method: 'PUT', body: JSON.stringify(NOTEBOOK) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toMatch(/^Cannot record the action in the audit log/);
      expect(existsSync(join(ts.rootDir, 'refused.ipynb'))).toBe(false);
      const marker = join(ts.rootDir, 'ran.txt');
      const { error } = await runCell(k, `open(${JSON.stringify(marker)}, 'w').write('ran')`);
      expect(error).toMatch(/^AuditUnavailable: Cannot run code: the audit log cannot be written/);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await k.shutdown().catch(() => undefined);
      kernels.dispose();
    }
  });
});

describe('a record written but not yet flushed to disk: nothing is sent before the flush', () => {
  let ts: TestServer;
  /** The next record's flush, once armed: it waits for the test's word, then succeeds or fails. */
  let armed: { started: () => void; outcome: Promise<boolean> } | undefined;
  const sync = AuditJournal.prototype.sync;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } });
    // The disk, slowed down and made to fail on the test's word (a real fdatasync is far too quick to watch).
    AuditJournal.prototype.sync = function (this: AuditJournal) {
      const durable = sync.call(this);
      const gate = armed;
      armed = undefined;
      if (!gate) return durable;
      gate.started();
      return durable.then(async () => ((await gate.outcome) ? undefined : Promise.reject(new Error('EIO: the disk failed'))));
    };
  });
  afterAll(async () => {
    AuditJournal.prototype.sync = sync;
    await ts?.[Symbol.asyncDispose]();
  });

  /** Arms the next flush; resolves `started` when a write takes it; `finish(ok)` lets it end. */
  function armFlush(): { started: Promise<void>; finish: (ok: boolean) => void } {
    let finish!: (ok: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => (finish = resolve));
    let started!: () => void;
    const startedP = new Promise<void>((resolve) => (started = resolve));
    armed = { started, outcome };
    return { started: startedP, finish };
  }

  it('holds a file read until its record is on disk, and answers 503 without the data when the flush fails', async () => {
    expect(ts.wb.config.audit.journal).toBe(true); // the embedded store's default
    expect((await api(ts, 'api/contents/ledger.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: 'confidential' }) })).status).toBe(201);
    let answered = false;
    const flush = armFlush();
    const read = api(ts, 'api/contents/ledger.txt').then((res) => ((answered = true), res));
    await flush.started;
    // The record is written (in the journal, and readable in the log) while the answer waits for the disk.
    expect((await ts.wb.audit.query({ resource: 'contents', action: 'read' })).map((r) => r.target)).toContain('ledger.txt');
    expect(answered).toBe(false);
    flush.finish(true);
    const ok = await read;
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { content: string }).content).toBe('confidential');

    const failing = armFlush();
    const refused = api(ts, 'api/contents/ledger.txt');
    await failing.started;
    failing.finish(false);
    const res = await refused;
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toMatch(/Cannot record the action in the audit log/);
    expect(text).not.toContain('confidential');
  });

  it('writes a change\'s record before it is made and holds its answer until the record is on disk; a failed flush answers 503', async () => {
    const contents = ts.wb.contents;
    const save = contents.save.bind(contents);
    let saved!: () => void;
    contents.save = async (...args) => {
      const result = await save(...args);
      saved();
      return result;
    };
    try {
      const body = JSON.stringify({ type: 'file', format: 'text', content: 'posted' });
      for (const [name, ok] of [['held.txt', true], ['unflushed.txt', false]] as const) {
        const madeIt = new Promise<void>((resolve) => (saved = resolve));
        const flush = armFlush();
        let answered = false;
        const put = api(ts, `api/contents/${name}`, { method: 'PUT', body }).then((res) => ((answered = true), res));
        await flush.started;
        // Written before the handler runs: the record is in the log before the file is written.
        expect(existsSync(join(ts.rootDir, name))).toBe(false);
        expect((await ts.wb.audit.query({ resource: 'contents', action: 'write' })).map((r) => r.target)).toContain(name);
        await madeIt;
        expect(answered).toBe(false);
        flush.finish(ok);
        const res = await put;
        if (ok) {
          expect(res.status).toBe(201);
        } else {
          // The change is made and its record committed, but not known to be on disk: the client is not told it succeeded.
          expect(res.status).toBe(503);
          expect(((await res.json()) as { message: string }).message).toMatch(/^Cannot record the action in the audit log/);
        }
      }
    } finally {
      armed = undefined;
      contents.save = save;
    }
  });

  it("holds a kernel's outputs until the execute's record is on disk, and withholds them (socket closed) when the flush fails", async () => {
    const kernels = new KernelManager({ serverSettings: ts.settings });
    const k = await kernels.startNew({ name: 'python3' });
    try {
      let outputs = '';
      const flush = armFlush();
      const future = k.requestExecute({ code: 'print("balance", 6 * 7)' });
      future.onIOPub = (m) => {
        if (m.header.msg_type === 'stream') outputs += (m.content as { text: string }).text;
      };
      await flush.started;
      // The kernel may well have run it by now; the client has seen nothing of it.
      expect(outputs).toBe('');
      flush.finish(true);
      await future.done;
      expect(outputs).toBe('balance 42\n');

      const failing = armFlush();
      const closed = new Promise<void>((resolve) => k.connectionStatusChanged.connect((_, status) => status !== 'connected' && resolve()));
      const lost = k.requestExecute({ code: 'print("never seen")' });
      let seen = '';
      lost.onIOPub = (m) => {
        if (m.header.msg_type === 'stream') seen += (m.content as { text: string }).text;
      };
      void lost.done.catch(() => undefined);
      await failing.started;
      failing.finish(false);
      await closed;
      expect(seen).toBe('');
    } finally {
      armed = undefined;
      await k.shutdown().catch(() => undefined);
      kernels.dispose();
    }
  });
});

describe('on PostgreSQL (database.url): two servers share one audit chain, one through its journal', () => {
  let dbs: TestDatabases;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    dbs = testDatabases('postgres');
    const { url } = await dbs.create();
    // Two gateway replicas on one database (each its own workspace and data_dir; the store is what they share):
    // the first writes through its journal (audit.journal), the second commits each record by itself (the default there).
    for (let i = 0; i < 2; i++) servers.push(await startTestServer([], process.env, { sandbox: { mode: 'none' }, database: { url }, ...(i === 0 && { audit: { journal: true } }) }));
  });
  afterAll(async () => {
    for (const s of servers) await s[Symbol.asyncDispose]();
    await dbs[Symbol.asyncDispose]();
  });

  it('records from both replicas interleave into one chain that verifies', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    expect(a.wb.metadata.dialect).toBe('postgres');
    expect([a.wb.config.audit.journal, b.wb.config.audit.journal]).toEqual([true, false]);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => api(i % 2 ? a : b, `api/contents/f${i}.txt`, { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: String(i) }) })),
    );
    // Read through the journaled replica: it copies what waits in its journal first.
    const verify = (await (await api(a, 'api/audit/verify')).json()) as { ok: boolean; count: number };
    expect(verify).toMatchObject({ ok: true });
    const writes = (await records(a)).filter((r) => r.resource === 'contents' && r.action === 'write');
    expect(writes).toHaveLength(20);
  });
});
