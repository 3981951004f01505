/**
 * The SQL kernel through the gateway with @jupyterlab/services: DuckDB
 * warehouse shared between notebooks, three output mimetypes, completion
 * and inspection on real schemas, errors with positions, parameters,
 * interrupt, and PostgreSQL (Odoo-shaped) with pull into the warehouse.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { KernelManager, KernelMessage, Kernel } from '@jupyterlab/services';
import { createOdooDatabase, dropDatabase, PG } from '@workbench/sql-kernel/testing-odoo';
import { startTestServer, TestServer } from './testing/harness';

const DB = `wb_sql_e2e_${process.pid}`;

async function run(k: Kernel.IKernelConnection, code: string): Promise<{ reply: KernelMessage.IExecuteReplyMsg['content']; outputs: KernelMessage.IIOPubMessage[] }> {
  const outputs: KernelMessage.IIOPubMessage[] = [];
  const f = k.requestExecute({ code, stop_on_error: false });
  f.onIOPub = (m) => {
    if (!['status', 'execute_input'].includes(m.header.msg_type)) outputs.push(m);
  };
  const reply = (await f.done).content as KernelMessage.IExecuteReplyMsg['content'];
  return { reply, outputs };
}

/** Resolves once another process holds the warehouse file (a read-only ATTACH from here is refused). */
async function untilWarehouseLocked(path: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      try {
        await c.run(`ATTACH '${path}' AS probe (READ_ONLY)`);
        await c.run('DETACH probe');
      } catch (err) {
        if (/lock/i.test((err as Error).message)) return;
        throw err;
      }
    }
    throw new Error('the warehouse was never locked');
  } finally {
    c.closeSync();
  }
}

const resultData = (outs: KernelMessage.IIOPubMessage[]) => (outs.find((m) => m.header.msg_type === 'execute_result')?.content as { data: Record<string, unknown> } | undefined)?.data;

describe('SQL kernel through the gateway', () => {
  let ts: TestServer;
  let manager: KernelManager;

  beforeAll(async () => {
    await createOdooDatabase(DB, 100_000);
    ts = await startTestServer([], process.env);
    await mkdir(join(ts.rootDir, '.workbench'), { recursive: true });
    await writeFile(join(ts.rootDir, '.workbench', 'connections.json'), JSON.stringify({ connections: { odoo: { kind: 'postgres', host: PG.host, port: PG.port, user: PG.user, database: DB } } }));
    // The connections file is read when the server builds the kernelspec: restart the server on the same root.
    const root = ts.rootDir;
    await ts.wb[Symbol.asyncDispose]();
    ts = await startTestServer(['--root-dir', root], process.env);
    manager = new KernelManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
    await dropDatabase(DB);
  });

  it('is listed as the "sql" kernelspec with SQL language info', async () => {
    const k = await manager.startNew({ name: 'sql' });
    const info = (await k.info) as KernelMessage.IInfoReply;
    expect(info.language_info).toMatchObject({ name: 'sql', mimetype: 'application/sql', codemirror_mode: 'sql' });
    await k.shutdown();
  });

  it('creates, inserts and queries; shows text, HTML and a Table Schema; another notebook sees the table', async () => {
    const a = await manager.startNew({ name: 'sql' });
    expect((await run(a, 'CREATE OR REPLACE TABLE invoices (id INTEGER, partner VARCHAR, amount DECIMAL(12,2), due DATE)')).reply.status).toBe('ok');
    await run(a, "INSERT INTO invoices VALUES (1, 'Acme <Corp>', 120.50, DATE '2026-11-30'), (2, 'Globex', 99.99, NULL)");
    const { reply, outputs } = await run(a, 'SELECT * FROM invoices ORDER BY id');
    expect(reply.status).toBe('ok');
    const data = resultData(outputs)!;
    expect(data['text/plain']).toMatch(/Acme <Corp>/);
    expect(data['text/html']).toContain('Acme &lt;Corp&gt;');
    expect(data['text/html']).not.toContain('<Corp>');
    const resource = data['application/vnd.dataresource+json'] as { schema: { fields: { name: string; type: string }[] }; data: Record<string, unknown>[] };
    expect(resource.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:integer', 'partner:string', 'amount:number', 'due:date']);
    expect(resource.data[0]).toMatchObject({ id: 1, partner: 'Acme <Corp>' });
    // A second notebook (another kernel process) reads the shared warehouse.
    const b = await manager.startNew({ name: 'sql' });
    const other = await run(b, 'SELECT count(*) AS n FROM invoices');
    expect(((resultData(other.outputs)!['application/vnd.dataresource+json'] as { data: { n: number }[] }).data[0]!.n)).toBe(2);
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('lets a second notebook wait for the warehouse while another one holds it, instead of failing', async () => {
    const a = await manager.startNew({ name: 'sql' });
    const b = await manager.startNew({ name: 'sql' });
    await run(a, 'CREATE OR REPLACE TABLE shared_t AS SELECT 1 AS x');
    // A long cell in notebook A holds the warehouse...
    const long = a.requestExecute({ code: 'SELECT count(*) FROM range(100000000000)' });
    let aRunning!: () => void;
    const started = new Promise<void>((r) => (aRunning = r));
    long.onIOPub = (m) => {
      if (m.header.msg_type === 'execute_input') aRunning();
    };
    await started;
    // execute_input comes before the cell attaches the warehouse: wait until the file is really locked.
    await untilWarehouseLocked(join(ts.wb.config.rootDir, 'warehouse.duckdb'));
    // ...so notebook B's cell says it waits; when A is interrupted, B's cell runs.
    const fb = b.requestExecute({ code: 'SELECT x FROM shared_t' });
    const waiting = new Promise<string>((resolve) => {
      fb.onIOPub = (m) => {
        if (m.header.msg_type === 'stream') resolve((m.content as { text: string }).text);
      };
    });
    expect(await waiting).toMatch(/Waiting for the warehouse/);
    await a.interrupt();
    await long.done.catch(() => undefined);
    expect(((await fb.done).content as { status: string }).status).toBe('ok');
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('streams only the first rows of a large result, shows them before the count is done, then says how many there are', async () => {
    const k = await manager.startNew({ name: 'sql' });
    const { outputs } = await run(k, 'SELECT range AS i FROM range(2000000)');
    // First rows at once (display_data, "counting the rest"), then replaced without flicker by the counted result.
    expect(outputs.map((m) => m.header.msg_type)).toEqual(['display_data', 'clear_output', 'execute_result']);
    const preview = (outputs[0]!.content as KernelMessage.IDisplayDataMsg['content']).data;
    expect(preview['text/plain']).toMatch(/more than 1000 rows × 1 column · showing first 1000 rows · counting the rest…/);
    expect((preview['application/vnd.dataresource+json'] as { data: unknown[] }).data).toHaveLength(1000);
    expect((outputs[1]!.content as { wait: boolean }).wait).toBe(true);
    const data = resultData(outputs)!;
    expect(data['text/plain']).toMatch(/2,?000,?000 rows/);
    expect((data['application/vnd.dataresource+json'] as { data: unknown[] }).data).toHaveLength(1000);
    // A result that fits is shown once, with no preview.
    expect((await run(k, 'SELECT range AS i FROM range(1000)')).outputs.map((m) => m.header.msg_type)).toEqual(['execute_result']);
    await k.shutdown();
  });

  it('reports errors with the engine message and a caret at the position, and binds parameters', async () => {
    const k = await manager.startNew({ name: 'sql' });
    const err = await run(k, 'SELECT 1,\n  nope_column FROM range(3)');
    expect(err.reply.status).toBe('error');
    const e = err.outputs.find((m) => m.header.msg_type === 'error')!.content as { ename: string; evalue: string; traceback: string[] };
    expect(e.evalue).toMatch(/nope_column/);
    expect(e.traceback.join('\n')).toMatch(/LINE 2: {3}nope_column FROM range\(3\)\n {10}\^/);
    expect((await run(k, '%params {"lo": 3, "hi": 5}')).reply.status).toBe('ok');
    const p = await run(k, 'SELECT count(*) AS n FROM range(10) WHERE range BETWEEN $lo AND :hi');
    expect(((resultData(p.outputs)!['application/vnd.dataresource+json'] as { data: { n: number }[] }).data[0]!.n)).toBe(3);
    const missing = await run(k, 'SELECT :nope');
    expect((missing.outputs.find((m) => m.header.msg_type === 'error')!.content as { evalue: string }).evalue).toMatch(/no parameter named "nope"/);
    await k.shutdown();
  });

  it('completes keywords, tables and columns, and inspects a table, on the real schema', async () => {
    const k = await manager.startNew({ name: 'sql' });
    await run(k, 'CREATE OR REPLACE TABLE gl_entries (account_code VARCHAR, amount DOUBLE)');
    const code = 'SELECT g.acc FROM gl_e';
    const tables = await k.requestComplete({ code, cursor_pos: code.length });
    expect(tables.content.status).toBe('ok');
    expect((tables.content as { matches: string[] }).matches).toContain('gl_entries');
    const code2 = 'SELECT g.acc FROM gl_entries g';
    const cols = await k.requestComplete({ code: code2, cursor_pos: 'SELECT g.acc'.length });
    expect((cols.content as { matches: string[] }).matches).toContain('account_code');
    const insp = await k.requestInspect({ code: 'SELECT * FROM gl_entries', cursor_pos: 17, detail_level: 0 });
    expect((insp.content as { found: boolean }).found).toBe(true);
    expect(JSON.stringify((insp.content as { data: unknown }).data)).toMatch(/account_code/);
    const complete = await k.requestIsComplete({ code: "SELECT 'open" });
    expect(complete.content.status).toBe('incomplete');
    await k.shutdown();
  });

  it('interrupts a long query within a second or two, and keeps working', async () => {
    const k = await manager.startNew({ name: 'sql' });
    const f = k.requestExecute({ code: 'SELECT count(*) FROM range(100000000000) a' });
    let busy!: () => void;
    const started = new Promise<void>((r) => (busy = r));
    f.onIOPub = (m) => {
      if (m.header.msg_type === 'execute_input') busy();
    };
    await started;
    const t0 = performance.now();
    await k.interrupt();
    const reply = (await f.done).content as { status: string; ename?: string };
    expect(reply.status).toBe('error');
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((await run(k, 'SELECT 1')).reply.status).toBe('ok');
    await k.shutdown();
  });

  it('queries PostgreSQL by name, pulls a result into the warehouse, and cancels', async () => {
    const k = await manager.startNew({ name: 'sql' });
    const q = await run(k, "-- connection: odoo\nSELECT a.code, sum(l.balance) AS balance FROM account_move_line l JOIN account_account a ON a.id = l.account_id GROUP BY 1 ORDER BY 1");
    expect(q.reply.status).toBe('ok');
    expect((resultData(q.outputs)!['application/vnd.dataresource+json'] as { data: unknown[] }).data).toHaveLength(60);
    const pull = await run(k, '%%sql -> gl_lines\n-- connection: odoo\nSELECT id, move_id, account_id, balance, date FROM account_move_line');
    expect(pull.reply.status).toBe('ok');
    expect(resultData(pull.outputs)!['text/plain']).toMatch(/100,?000 rows/);
    const local = await run(k, 'SELECT count(*) AS n, round(sum(balance), 2) AS total FROM gl_lines');
    expect((resultData(local.outputs)!['application/vnd.dataresource+json'] as { data: { n: number; total: number }[] }).data[0]).toEqual({ n: 100000, total: 0 });
    await run(k, '%connect odoo');
    const f = k.requestExecute({ code: 'SELECT pg_sleep(60)' });
    let started!: () => void;
    const s = new Promise<void>((r) => (started = r));
    f.onIOPub = (m) => {
      if (m.header.msg_type === 'execute_input') started();
    };
    await s;
    await k.interrupt();
    expect(((await f.done).content as { ename?: string }).ename).toBe('KeyboardInterrupt');
    const err = await run(k, 'SELECT nope FROM account_move');
    expect((err.outputs.find((m) => m.header.msg_type === 'error')!.content as { ename: string; evalue: string })).toMatchObject({ ename: 'PostgresError', evalue: 'column "nope" does not exist' });
    // Each query's audit record names its connection (as the cell says) beside the SQL text's hash.
    const sqlOf = async (code: string) => (await ts.wb.audit.query({ action: 'execute', limit: 1000 })).filter((r) => r.target === k.id && r.detail.code_sha256 === createHash('sha256').update(code).digest('hex')).map((r) => r.detail.sql);
    expect(await sqlOf('%%sql -> gl_lines\n-- connection: odoo\nSELECT id, move_id, account_id, balance, date FROM account_move_line')).toEqual([{ connection: 'odoo', statements: 1, keep_as: 'gl_lines' }]);
    expect(await sqlOf('%connect odoo')).toEqual([{ connection: 'odoo', statements: 0 }]);
    expect(await sqlOf('SELECT nope FROM account_move')).toEqual([{ connection: 'current', statements: 1 }]);
    await k.shutdown();
  });
});
