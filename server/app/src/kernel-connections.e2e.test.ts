/**
 * Notebooks use the server's named connections without ever holding their
 * credential: a SQL cell `%sql @ledger SELECT ...` in a SQL kernel goes to
 * the gateway signed with the kernel's own Jupyter key, runs there as the
 * kernel's owner on the connection's pool (PostgreSQL of the test's own,
 * which checks passwords), is audited (via "kernel", with the kernel's id)
 * and counted in the catalog's usage. A signature is accepted only for the
 * routes kernels may use, only with the right key and only while fresh.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { KernelManager, SessionManager, type KernelMessage } from '@jupyterlab/services';
import { kernelAuthorization } from '@workbench/core';
import { startPrivatePostgres, type PrivatePostgres } from '@workbench/connections/testing/private-postgres';
import { api, makeSettings, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const ANALYST = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const ENGINEER = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };
const PASSWORD = 'Ledger-Reader-Pw-5b71e0';

describe('server connections from kernels', () => {
  let pg: PrivatePostgres;
  let ts: TestServer;
  let sessions: SessionManager;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const admin = await pg.admin();
    await admin.query(`create role ledger_reader login password '${PASSWORD}'`);
    await admin.query('create database ledger owner ledger_reader');
    const db = new Client({ host: pg.host, port: pg.port, user: 'postgres', password: pg.superuserPassword, database: 'ledger' });
    await db.connect();
    await db.query('create table account_move_line (id int, partner_id int, debit numeric, credit numeric); insert into account_move_line select i, i % 3, i * 10, 0 from generate_series(1, 25) i; alter table account_move_line owner to ledger_reader');
    await db.end();
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [ANALYST, ENGINEER] });
    const made = await api(ts, 'api/connections', { method: 'POST', token: ENGINEER.token, body: JSON.stringify({ name: 'ledger', kind: 'postgres', settings: { host: pg.host, port: pg.port, database: 'ledger', user: 'ledger_reader' }, credential: { password: PASSWORD } }) });
    expect(made.status).toBe(201);
    sessions = new SessionManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token), kernelManager: new KernelManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token) }) });
  });
  afterAll(async () => {
    sessions?.dispose();
    await ts?.[Symbol.asyncDispose]();
    await pg?.[Symbol.asyncDispose]();
  });

  async function run(k: NonNullable<Awaited<ReturnType<SessionManager['startNew']>>['kernel']>, code: string) {
    const outputs: KernelMessage.IIOPubMessage[] = [];
    const f = k.requestExecute({ code, stop_on_error: false });
    f.onIOPub = (m) => void outputs.push(m);
    const reply = (await f.done).content as KernelMessage.IExecuteReplyMsg['content'];
    const text = outputs.map((m) => ((m.content as { data?: Record<string, string> }).data?.['text/plain'] ?? (m.content as { evalue?: string }).evalue ?? '')).join('\n');
    return { status: reply.status, text };
  }

  it('runs `%sql @ledger` through the gateway as the kernel owner; audited; the credential is nowhere in the kernel', async () => {
    const s = await sessions.startNew({ path: 'close/ledger.ipynb', type: 'notebook', name: 'ledger', kernel: { name: 'sql' } });
    const k = s.kernel!;
    const r = await run(k, '%sql @ledger SELECT current_user AS who, count(*) AS n, sum(debit) AS debit FROM account_move_line');
    expect(r.status).toBe('ok');
    expect(r.text).toMatch(/ledger_reader/);
    expect(r.text).toMatch(/25/);
    expect(r.text).toMatch(/3250/);
    // The database's own error comes back as the cell's error, with its position.
    const bad = await run(k, '%sql @ledger SELECT nope FROM account_move_line');
    expect(bad.status).toBe('error');
    expect(bad.text).toMatch(/column "nope" does not exist/);
    // Pull into the warehouse, then query it there.
    expect((await run(k, '%%sql -> ledger_lines\n-- connection: ledger\nSELECT id, debit FROM account_move_line')).status).toBe('ok');
    expect((await run(k, 'SELECT count(*) AS c FROM ledger_lines')).text).toMatch(/25/);
    const records = (await ts.wb.audit.query({ resource: 'connections', action: 'execute', limit: 100 })).filter((x) => x.detail.route === '/api/connections/:name/query');
    // Recorded before each query runs; the refused one also leaves its outcome.
    expect(records.map((x) => [x.actor, x.via, x.target, x.detail.kernel_id, x.outcome])).toEqual([
      ['anna', 'kernel', 'ledger', k.id, 'ok'],
      ['anna', 'kernel', 'ledger', k.id, 'ok'],
      ['anna', 'kernel', 'ledger', k.id, 'error'],
      ['anna', 'kernel', 'ledger', k.id, 'ok'],
    ]);
    expect(records[2]!.detail.message).toMatch(/column "nope" does not exist/);
    // Nothing of the credential in the kernel's environment or the files it can read.
    const env = await run(k, "%sql @ledger SELECT 1 AS one");
    expect(env.status).toBe('ok');
    const runtime = ts.wb.config.runtimeDir;
    for (const f of readdirSync(runtime)) if (f.endsWith('.json')) expect(readFileSync(join(runtime, f), 'utf8')).not.toContain(PASSWORD);
    await s.shutdown();
  });

  it('lets a sandboxed Python kernel without network use workbench.connect() over the server\'s socket', async () => {
    // Python kernels are sandboxed here (bubblewrap, no network): they reach the server only through its Unix socket.
    const sandboxed = await startTestServer([], process.env, { sandbox: { memory_limit: '512Mi' } }, { users: [ANALYST, ENGINEER] });
    try {
      const made = await api(sandboxed, 'api/connections', { method: 'POST', token: ENGINEER.token, body: JSON.stringify({ name: 'ledger', kind: 'postgres', settings: { host: pg.host, port: pg.port, database: 'ledger', user: 'ledger_reader' }, credential: { password: PASSWORD } }) });
      expect(made.status).toBe(201);
      const kernels = new KernelManager({ serverSettings: makeSettings(sandboxed.baseUrl, ANALYST.token) });
      try {
        const k = await kernels.startNew({ name: 'python3' });
        const out = await runCell(k, [
          'import os, socket, workbench',
          'ledger = workbench.connect("ledger")',
          'r = ledger.query("select count(*) as n, sum(debit) as debit from account_move_line where partner_id = $1", [1])',
          'rows = r.values.tolist() if hasattr(r, "values") else r.rows',
          'print(workbench.connections(), rows)',
          'try:',
          '    socket.create_connection(("127.0.0.1", int(os.environ["WORKBENCH_API_URL"].split(":")[2].split("/")[0])), timeout=2)',
          '    print("tcp reachable")',
          'except OSError:',
          '    print("no network")',
          'print(any(' + JSON.stringify(PASSWORD) + ' in v for v in os.environ.values()))',
          'try:',
          '    ledger.query("select nope")',
          'except workbench.QueryError as e:',
          '    print("refused:", e.sqlstate, e)',
        ].join('\n'));
        expect(out.error).toBeUndefined();
        const lines = out.stdout.split('\n');
        // Partner 1 has 9 of the 25 lines (i % 3 = 1), debits 10+40+...+250; bigint and numeric come as exact text.
        expect(lines[0]).toBe("['ledger'] [['9', '1170']]");
        expect(lines[1]).toBe('no network');
        expect(lines[2]).toBe('False');
        expect(lines[3]).toBe('refused: 42703 Cannot run the query: column "nope" does not exist (at character 8)');
        const rec = (await sandboxed.wb.audit.query({ resource: 'connections', action: 'execute', limit: 10 })).find((x) => x.detail.route === '/api/connections/:name/query');
        expect(rec).toMatchObject({ actor: 'anna', via: 'kernel', target: 'ledger', detail: { kernel_id: k.id } });
        await k.shutdown();
      } finally {
        kernels.dispose();
      }
    } finally {
      await sandboxed[Symbol.asyncDispose]();
    }
  });

  it('extracts a SELECT into a Parquet file of the workspace from Python (a bronze extract), audited', async () => {
    const kernels = new KernelManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token) });
    try {
      const k = await kernels.startNew({ name: 'python3' });
      const out = await runCell(k, [
        'import workbench',
        'r = workbench.connect("ledger").extract("select id, partner_id, debit from account_move_line where partner_id = $1 order by id", "bronze/2026-11/lines.parquet", [2])',
        'print(r["rows"], r["path"], [c["parquet_type"] for c in r["columns"]])',
        'try:',
        '    workbench.connect("ledger").extract("delete from account_move_line", "bronze/x.parquet")',
        'except workbench.QueryError as e:',
        '    print("refused:", e)',
      ].join('\n'));
      expect(out.error).toBeUndefined();
      expect(out.stdout.split('\n').slice(0, 2)).toEqual(["8 bronze/2026-11/lines.parquet ['INTEGER', 'INTEGER', 'DECIMAL(38,12)']", 'refused: Cannot extract: give exactly one SELECT (or WITH ... SELECT) statement']);
      expect(readFileSync(join(ts.rootDir, 'bronze', '2026-11', 'lines.parquet')).subarray(0, 4).toString()).toBe('PAR1');
      const rec = (await ts.wb.audit.query({ resource: 'connections', action: 'execute', limit: 100 })).filter((x) => x.detail.route === '/api/connections/:name/extract');
      expect(rec.map((x) => [x.actor, x.via, x.detail.path, x.outcome])).toEqual([
        ['anna', 'kernel', 'bronze/2026-11/lines.parquet', 'ok'],
        ['anna', 'kernel', 'bronze/x.parquet', 'ok'],
        ['anna', 'kernel', 'bronze/x.parquet', 'error'],
      ]);
      await k.shutdown();
    } finally {
      kernels.dispose();
    }
  });

  it('refuses a kernel signature on any other route, with a wrong key, or stale', async () => {
    const s = await sessions.startNew({ path: 'probe.ipynb', type: 'notebook', name: 'probe', kernel: { name: 'sql' } });
    const kernelId = s.kernel!.id;
    const key = JSON.parse(readFileSync(join(ts.wb.config.runtimeDir, `kernel-${kernelId}.json`), 'utf8')).key as string;
    const base = new URL(ts.baseUrl).pathname;
    const signed = (method: string, path: string, body: string, opts: { key?: string; at?: number } = {}) =>
      fetch(new URL(path, ts.baseUrl), { method, body: body || undefined, headers: { 'Content-Type': 'application/json', Authorization: kernelAuthorization({ kernelId, key: opts.key ?? key, unixSeconds: opts.at ?? Math.floor(Date.now() / 1000), method, path: `${base}${path}`, body }) } });
    const body = JSON.stringify({ sql: 'select 1 as one' });
    expect((await signed('POST', 'api/connections/ledger/query', body)).status).toBe(200);
    const other = await signed('GET', 'api/kernels', '');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toMatch(/from a kernel: kernels may only query/);
    expect((await signed('POST', 'api/connections/ledger/query', body, { key: 'a'.repeat(64) })).status).toBe(403);
    expect((await signed('POST', 'api/connections/ledger/query', body, { at: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(403);
    // The body is signed: another body with the same signature is refused.
    const auth = kernelAuthorization({ kernelId, key, unixSeconds: Math.floor(Date.now() / 1000), method: 'POST', path: `${base}api/connections/ledger/query`, body });
    const swapped = await fetch(new URL('api/connections/ledger/query', ts.baseUrl), { method: 'POST', body: JSON.stringify({ sql: 'select 2' }), headers: { 'Content-Type': 'application/json', Authorization: auth } });
    expect(swapped.status).toBe(403);
    await s.shutdown();
    // A kernel that is gone signs nothing.
    expect((await signed('POST', 'api/connections/ledger/query', body)).status).toBe(403);
  });
});
