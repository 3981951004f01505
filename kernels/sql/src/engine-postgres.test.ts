import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnections, PostgresConnection } from './connections';
import { PgError, PostgresEngine } from './engine-postgres';
import { createOdooDatabase, dropDatabase, PG } from './testing-odoo';

const DB = `wb_sql_test_${process.pid}`;

describe('PostgreSQL engine on an Odoo-shaped database', () => {
  let engine: PostgresEngine;
  const conn: PostgresConnection = { name: 'odoo', kind: 'postgres', host: PG.host, port: PG.port, database: DB, user: PG.user, password: undefined, applicationName: 'wb-test', statementTimeoutMs: undefined, ssl: false };

  beforeAll(async () => {
    await createOdooDatabase(DB, 100_000);
    engine = new PostgresEngine(conn);
  });
  afterAll(async () => {
    await engine?.[Symbol.asyncDispose]();
    await dropDatabase(DB);
  });

  it('streams the first rows of a 100k-line query and counts the rest without fetching them', async () => {
    const previews: { rows: unknown[][]; counting?: boolean }[] = [];
    const r = await engine.query('SELECT id, move_id, account_id, debit, credit, date FROM account_move_line ORDER BY id', [], { maxRows: 1000, onPreview: (p) => previews.push(p) });
    expect(r.rows).toHaveLength(1000);
    expect(r.rowCount).toBe(100_000);
    expect(r.truncated).toBe(true);
    // The first rows were handed over before the rest was counted, once.
    expect(previews).toHaveLength(1);
    expect(previews[0]!.counting).toBe(true);
    expect(previews[0]!.rows).toEqual(r.rows);
    // Exactly maxRows rows: no preview, not truncated.
    const exact = await engine.query('SELECT id FROM account_move_line ORDER BY id LIMIT 1000', [], { maxRows: 1000, onPreview: (p) => previews.push(p) });
    expect(exact).toMatchObject({ rowCount: 1000, truncated: false });
    expect(previews).toHaveLength(1);
    expect(r.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'move_id:integer', 'account_id:integer', 'debit:numeric', 'credit:numeric', 'date:date']);
    expect(typeof r.rows[0]![3]).toBe('string'); // numeric stays exact
  });

  it('binds parameters and aggregates (trial balance by account type)', async () => {
    const r = await engine.query(
      `SELECT a.account_type, sum(l.debit) AS debit, sum(l.credit) AS credit, sum(l.balance) AS balance
       FROM account_move_line l JOIN account_account a ON a.id = l.account_id JOIN account_move m ON m.id = l.move_id
       WHERE m.state = $1 GROUP BY 1 ORDER BY 1`,
      ['posted'],
      { maxRows: 100 },
    );
    expect(r.rows.length).toBe(5);
    const total = r.rows.reduce((s, row) => s + Number(row[3]), 0);
    expect(Math.abs(total)).toBeLessThan(0.005); // double entry balances
  });

  it('runs statements without rows and reports their command', async () => {
    const r = await engine.query('CREATE TEMP TABLE t (x int)', [], { maxRows: 10 });
    expect(r.command).toBe('CREATE');
    const ins = await engine.query('INSERT INTO t SELECT generate_series(1, 5)', [], { maxRows: 10 });
    expect(ins.rowCount).toBe(5);
  });

  it('reports errors with the position PostgreSQL gives', async () => {
    const err = await engine.query('SELECT nope FROM account_move', [], { maxRows: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).message).toBe('column "nope" does not exist');
    expect((err as PgError).position).toBe(8);
  });

  it('cancels a running query on the server when the signal aborts', async () => {
    const ac = new AbortController();
    const running = engine.query('SELECT pg_sleep(60)', [], { maxRows: 1, signal: ac.signal });
    // Abort once the server shows the query as active (no sleeps: poll pg_stat_activity from another engine).
    const watcher = new PostgresEngine({ ...conn, applicationName: 'wb-watch' });
    for (;;) {
      const r = await watcher.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wb-test' AND state = 'active'", [], { maxRows: 1 });
      if (Number(r.rows[0]![0]) > 0) break;
    }
    const t0 = performance.now();
    ac.abort();
    const err = await running.catch((e: unknown) => e);
    expect((err as PgError).message).toBe('canceling statement due to user request');
    expect(performance.now() - t0).toBeLessThan(5000);
    await watcher[Symbol.asyncDispose]();
    // The connection is still usable afterwards.
    expect((await engine.query('SELECT 1', [], { maxRows: 1 })).rows).toEqual([[1]]);
  });

  it('pulls a whole result in batches (for CREATE TABLE AS into DuckDB)', async () => {
    let n = 0;
    let batches = 0;
    for await (const b of engine.batches('SELECT id, balance FROM account_move_line', [], { batchRows: 25_000 })) {
      n += b.rows.length;
      batches++;
      expect(b.columns.map((c) => c.name)).toEqual(['id', 'balance']);
    }
    expect(n).toBe(100_000);
    expect(batches).toBe(4);
  });

  it('stops a pull at an abort that falls between two statements, where pg_cancel_backend finds nothing to cancel', async () => {
    const ac = new AbortController();
    let batches = 0;
    const pull = (async () => {
      for await (const b of engine.batches('SELECT id FROM account_move_line', [], { batchRows: 25_000, signal: ac.signal })) {
        batches += b.rows.length > 0 ? 1 : 0;
        ac.abort(); // the generator is suspended here: no statement of the pull runs on the server
      }
    })();
    await expect(pull).rejects.toMatchObject({ message: 'canceling statement due to user request', code: '57014' });
    expect(batches).toBe(1);
    expect((await engine.query('SELECT 1', [], { maxRows: 1 })).rows).toEqual([[1]]);
  });

  it('lists schemas, tables and columns for completion', async () => {
    expect(await engine.listSchemas()).toContain('public');
    expect((await engine.listTables('public')).map((t) => t.name)).toEqual(['account_account', 'account_move', 'account_move_line', 'res_partner']);
    expect((await engine.listColumns('account_move')).map((c) => c.name)).toContain('amount_total');
  });

  it('says clearly when it cannot connect', async () => {
    const bad = new PostgresEngine({ ...conn, database: 'no_such_db_wb' });
    await expect(bad.query('SELECT 1', [], { maxRows: 1 })).rejects.toThrow(/^Cannot connect to odoo \(postgres@.*\/no_such_db_wb\): database "no_such_db_wb" does not exist/);
    await bad[Symbol.asyncDispose]();
  });
});

describe('connections file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-conn-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves passwords from env and a private secrets file, never from the file itself', async () => {
    await writeFile(join(dir, 'c.json'), JSON.stringify({ connections: { odoo: { kind: 'postgres', database: 'odoo', password: { env: 'ODOO_PW' } }, fin: { kind: 'postgres', password: { secret: 'fin' } } } }));
    await writeFile(join(dir, 's.json'), JSON.stringify({ fin: 's3' }), { mode: 0o600 });
    const m = loadConnections({ file: join(dir, 'c.json'), secretsFile: join(dir, 's.json'), env: { ODOO_PW: 'pw' } });
    expect(m.get('odoo')!.password).toBe('pw');
    expect(m.get('fin')!.password).toBe('s3');
    expect(m.get('fin')!.database).toBe('fin');
    await chmod(join(dir, 's.json'), 0o644);
    expect(() => loadConnections({ file: join(dir, 'c.json'), secretsFile: join(dir, 's.json'), env: { ODOO_PW: 'pw' } })).toThrow(/readable by group or others/);
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ connections: { x: { kind: 'postgres', password: 'inline' } } }));
    expect(() => loadConnections({ file: join(dir, 'bad.json'), env: {} })).toThrow(/not in the connections file/);
    expect(() => loadConnections({ file: join(dir, 'c.json'), env: {} })).toThrow(/environment variable ODOO_PW is not set/);
  });
});
