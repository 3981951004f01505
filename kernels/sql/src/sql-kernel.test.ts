/**
 * Data-quality checks (`%%expect`, `%expect_summary`) on a real SqlKernel
 * (in-memory DuckDB) behind a real KernelServer over ZeroMQ on 127.0.0.1,
 * driven by the production client (KernelConnection). The month-end
 * checks read bronze Parquet files written by the test into a temp folder;
 * one runs on a PostgreSQL connection (an Odoo-shaped database). Every
 * test gets its own kernel: the summary is per kernel session.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferred, Emitter, waitForEvent, type Logger } from '@workbench/core';
import { createMessage, fromRaw, toRaw, type JupyterMessage } from '@workbench/protocol';
import { KernelConnection, type ConnectionInfo } from '@workbench/zmq';
import type { Connection } from './connections';
import { CHECK_MIME, CHECK_SUMMARY_MIME, type CheckResult, type CheckSummary } from './expectation';
import { KernelServer } from './kernel-server';
import { SqlKernel } from './sql-kernel';
import { createOdooDatabase, dropDatabase, PG } from './testing-odoo';

const parentId = (m: JupyterMessage) => (m.parent_header as { msg_id?: string }).msg_id;

interface Executed {
  reply: Record<string, unknown>;
  /** iopub messages of the request other than status and execute_input. */
  outputs: JupyterMessage[];
}

/** One kernel session: SqlKernel in a KernelServer (the session disposes both), and a client that sends cells and gathers their messages. */
class Session implements AsyncDisposable {
  private readonly received: { channel: string; msg: JupyterMessage }[] = [];
  private readonly arrived = new Emitter<void>();
  private readonly session = randomUUID();

  private constructor(
    private readonly kernel: SqlKernel,
    private readonly server: KernelServer,
    private readonly conn: KernelConnection,
  ) {
    conn.onMessage((e) => {
      this.received.push({ channel: e.channel, msg: fromRaw(e.raw) });
      this.arrived.fire();
    });
  }

  static async start(connections: ReadonlyMap<string, Connection> = new Map()): Promise<Session> {
    const subscribed = deferred<void>();
    // A SUB misses what is published before its subscription lands (slow joiner): wait for it.
    const logger: Logger = { debug: (f) => (f as { event?: string }).event === 'iopub_subscribe' && subscribed.resolve(), info() {}, warn() {}, error() {}, child: () => logger };
    const kernel = await SqlKernel.create({ connections, maxRows: 1000, version: 'test' });
    const info: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0, key: randomUUID(), signature_scheme: 'hmac-sha256' };
    const server = await KernelServer.start(info, kernel, { logger });
    const session = new Session(kernel, server, new KernelConnection(server.connectionInfo as ConnectionInfo));
    await subscribed.promise;
    return session;
  }

  private find(pred: (r: { channel: string; msg: JupyterMessage }) => boolean): Promise<JupyterMessage> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found.msg);
    return waitForEvent(this.arrived.event, () => this.received.some(pred)).then(() => this.received.find(pred)!.msg);
  }

  /** Send a cell; resolves with the request once the kernel has taken it up (its execute_input). */
  async send(code: string): Promise<JupyterMessage> {
    const req = createMessage({ msgType: 'execute_request', session: this.session, content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false } }) as JupyterMessage;
    await this.conn.send('shell', toRaw(req));
    await this.find((r) => r.channel === 'iopub' && parentId(r.msg) === req.header.msg_id && r.msg.header.msg_type === 'execute_input');
    return req;
  }

  async interrupt(): Promise<void> {
    const req = createMessage({ msgType: 'interrupt_request', session: this.session, content: {} }) as JupyterMessage;
    await this.conn.send('control', toRaw(req));
  }

  /** The reply to a request sent with `send`. */
  reply(req: JupyterMessage): Promise<JupyterMessage> {
    return this.find((r) => r.channel === 'shell' && parentId(r.msg) === req.header.msg_id && r.msg.header.msg_type === 'execute_reply');
  }

  async execute(code: string): Promise<Executed> {
    const req = createMessage({ msgType: 'execute_request', session: this.session, content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false } }) as JupyterMessage;
    await this.conn.send('shell', toRaw(req));
    const mine = (r: { msg: JupyterMessage }) => parentId(r.msg) === req.header.msg_id;
    const [reply] = await Promise.all([
      this.find((r) => r.channel === 'shell' && mine(r) && r.msg.header.msg_type === 'execute_reply'),
      this.find((r) => r.channel === 'iopub' && mine(r) && r.msg.content.execution_state === 'idle'),
    ]);
    const outputs = this.received.filter((r) => r.channel === 'iopub' && mine(r) && !['status', 'execute_input'].includes(r.msg.header.msg_type)).map((r) => r.msg);
    return { reply: reply.content, outputs };
  }

  /** Run a cell that must succeed. */
  async ok(code: string): Promise<Executed> {
    const r = await this.execute(code);
    expect(r.reply).toMatchObject({ status: 'ok' });
    return r;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.conn[Symbol.asyncDispose]();
    await this.server[Symbol.asyncDispose]();
    await this.kernel[Symbol.asyncDispose]();
  }
}

const displays = (r: Executed) => r.outputs.filter((m) => m.header.msg_type === 'display_data').map((m) => m.content as { data: Record<string, unknown>; metadata: Record<string, unknown> });
const checkOf = (r: Executed) => {
  const shown = displays(r).filter((d) => CHECK_MIME in d.data);
  expect(shown).toHaveLength(1);
  return { check: shown[0]!.data[CHECK_MIME] as CheckResult, data: shown[0]!.data, metadata: shown[0]!.metadata };
};
const types = (r: Executed) => r.outputs.map((m) => m.header.msg_type);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const UNBALANCED_SQL = `SELECT move_id, sum(debit) - sum(credit) AS difference
FROM read_parquet($bronze || '/account_move_line.parquet')
WHERE parent_state = 'posted'
GROUP BY move_id
HAVING sum(debit) <> sum(credit)
ORDER BY move_id`;

describe('SqlKernel data-quality checks (%%expect, %expect_summary)', () => {
  let bronze: string;
  let s: Session;

  beforeAll(async () => {
    bronze = await mkdtemp(join(tmpdir(), 'wb-bronze-'));
    // Move lines: moves 1 and 2 balance, 3 is off by 12.50, 4 by 0.01, 5 is off but still a draft.
    const writer = await Session.start();
    try {
      await writer.ok(`COPY (SELECT * FROM (VALUES
          (1, 'posted', 100.00, 0.00), (1, 'posted', 0.00, 100.00),
          (2, 'posted', 50.25, 0.00), (2, 'posted', 0.00, 50.25),
          (3, 'posted', 200.00, 0.00), (3, 'posted', 0.00, 187.50),
          (4, 'posted', 10.00, 0.00), (4, 'posted', 0.00, 9.99),
          (5, 'draft', 70.00, 0.00)
        ) AS t(move_id, parent_state, debit, credit)) TO '${join(bronze, 'account_move_line.parquet')}' (FORMAT parquet)`);
    } finally {
      await writer[Symbol.asyncDispose]();
    }
  });
  afterAll(async () => {
    await rm(bronze, { recursive: true, force: true });
  });
  beforeEach(async () => {
    s = await Session.start();
  });
  afterEach(async () => {
    await s?.[Symbol.asyncDispose]();
  });

  const unbalanced = (options: string) => `%%expect unbalanced_moves ${options}\n${UNBALANCED_SQL}`;

  it('passes a check without offending rows: ok reply, the check as JSON, a readable line', async () => {
    const r = await s.ok('%%expect no_negative_debits\nSELECT * FROM (VALUES (1, 10.0)) AS t(id, debit) WHERE debit < 0;');
    expect(types(r)).toEqual(['display_data']);
    const { check, data, metadata } = checkOf(r);
    expect(check).toEqual({
      name: 'no_negative_debits',
      severity: 'fail',
      status: 'passed',
      violations: 0,
      sample: { columns: [{ name: 'id', type: 'INTEGER' }, { name: 'debit', type: 'DECIMAL(3,1)' }], rows: [] },
      sql_sha256: sha256('SELECT * FROM (VALUES (1, 10.0)) AS t(id, debit) WHERE debit < 0'),
      elapsed_ms: expect.any(Number),
    });
    expect(Object.keys(check)).toEqual(['name', 'severity', 'status', 'violations', 'sample', 'sql_sha256', 'elapsed_ms']);
    expect(data['text/plain']).toMatch(/^✓ no_negative_debits — no offending rows \(.+\)$/);
    expect(data['text/html']).toMatch(/^<div class="wb-check wb-check-passed">.*✓.*<strong>no_negative_debits<\/strong> — no offending rows/);
    expect(metadata).toEqual({ workbench: { connection: 'warehouse', check: 'no_negative_debits' } });
  });

  it('fails a fail-severity check above its materiality: the check is shown, then ExpectationFailed errors the cell', async () => {
    await s.ok(`%params {"bronze": ${JSON.stringify(bronze)}}`);
    const r = await s.execute(unbalanced('severity=fail amount=difference materiality=0.01'));
    expect(r.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check unbalanced_moves failed: 2 offending rows, impact 12.51 > materiality 0.01' });
    expect(types(r)).toEqual(['display_data', 'error']);
    const { check, data } = checkOf(r);
    expect(check).toMatchObject({
      name: 'unbalanced_moves',
      severity: 'fail',
      status: 'failed',
      violations: 2,
      amount: 'difference',
      impact: 12.51,
      materiality: 0.01,
      sample: { columns: [{ name: 'move_id', type: 'INTEGER' }, { name: 'difference', type: 'DECIMAL(38,2)' }], rows: [[3, 12.5], [4, 0.01]] },
      sql_sha256: sha256(UNBALANCED_SQL),
    });
    const lines = String(data['text/plain']).split('\n');
    expect(lines.slice(0, -1)).toEqual([
      '✗ unbalanced_moves — 2 offending rows · impact 12.51 > materiality 0.01 · severity fail',
      ' move_id | difference',
      '---------+------------',
      '       3 |      12.50',
      '       4 |       0.01',
    ]);
    expect(lines.at(-1)).toMatch(/^\(2 rows × 2 columns · [\d.]+ m?s\)$/);
    expect(data['text/html']).toContain('<table class="wb-sql-result">');
  });

  it('weighs offending rows by amount against the materiality: at or below passes, above fails', async () => {
    await s.ok(`%params {"bronze": ${JSON.stringify(bronze)}}`);
    // Impact 12.51: exactly at the threshold passes (the check fails only above it).
    const at = checkOf(await s.ok(unbalanced('amount=difference materiality=12.51'))).check;
    expect(at).toMatchObject({ status: 'passed', violations: 2, impact: 12.51, materiality: 12.51 });
    const above = await s.execute(unbalanced('amount=difference materiality=12.509'));
    expect(above.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed' });
    expect(checkOf(above).check).toMatchObject({ status: 'failed', impact: 12.51, materiality: 12.509 });
    // Without materiality the threshold is 0: any impact fails; an impact of 0 passes even with offending rows.
    expect(checkOf(await s.execute(unbalanced('amount=difference'))).check).toMatchObject({ status: 'failed', materiality: 0 });
    const zero = checkOf(await s.ok("%%expect zero_impact amount=amt\nSELECT * FROM (VALUES (1, 0.00), (2, NULL)) AS t(id, amt)"));
    expect(zero.check).toMatchObject({ status: 'passed', violations: 2, impact: 0, materiality: 0 });
    expect(zero.data['text/plain']).toMatch(/^✓ zero_impact — 2 offending rows · impact 0.00 ≤ materiality 0\n/);
  });

  it('weighs the impact per currency against each currency\'s materiality, over all offending rows', async () => {
    // EUR rows within 0.01 together; a JPY row of 5 (not in the sample of 1, which keeps the check's order); no USD row.
    const sql = `SELECT * FROM (VALUES
  (1, 'JPY', 5::DECIMAL(18,3)),
  (2, 'EUR', -0.004::DECIMAL(18,3)),
  (3, 'EUR', 0.005::DECIMAL(18,3))
) AS t(id, currency, amount)
ORDER BY id DESC`;
    const fx = (options: string) => `%%expect fx_rounding amount=amount currency=currency sample=1 ${options}\n${sql}`;
    const r = await s.execute(fx('materiality=EUR:0.01,JPY:1'));
    expect(r.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check fx_rounding failed: 3 offending rows, impact JPY 5.000 > materiality 1' });
    const { check, data } = checkOf(r);
    expect(check).toMatchObject({
      status: 'failed',
      violations: 3,
      amount: 'amount',
      impact: 5,
      materiality: 1,
      currency: 'currency',
      impacts: [
        { currency: 'EUR', impact: 0.009, materiality: 0.01, exceeded: false },
        { currency: 'JPY', impact: 5, materiality: 1, exceeded: true },
      ],
      sample: { columns: [{ name: 'id', type: 'INTEGER' }, { name: 'currency', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,3)' }], rows: [[3, 'EUR', 0.005]] },
    });
    expect(String(data['text/plain']).split('\n')[0]).toBe('✗ fx_rounding — 3 offending rows · impact EUR 0.009 ≤ materiality 0.01, impact JPY 5.000 > materiality 1 · severity fail');
    expect(data['text/html']).toContain('impact EUR 0.009 ≤ materiality 0.01, impact JPY 5.000 &gt; materiality 1');

    // JPY's materiality raised to 10: passed; the top-level impact is the largest one.
    const passed = checkOf(await s.ok(fx('materiality=EUR:0.01,JPY:10'))).check;
    expect(passed).toMatchObject({ status: 'passed', violations: 3, impact: 5, materiality: 10, impacts: [{ currency: 'EUR', exceeded: false }, { currency: 'JPY', exceeded: false }] });
    // One materiality for every currency.
    expect(checkOf(await s.execute(fx('materiality=0.01'))).check).toMatchObject({ status: 'failed', impacts: [{ currency: 'EUR', materiality: 0.01, exceeded: false }, { currency: 'JPY', materiality: 0.01, exceeded: true }] });

    // NULL is a currency of its own, listed last; unlisted currencies take *, else 0.
    const withNull = (m: string) => `%%expect fx_null amount=amount currency=currency materiality=${m}\nSELECT * FROM (VALUES ('EUR', 0.002), (NULL, 1.5), ('USD', 0.04)) AS t(currency, amount)`;
    const noDefault = await s.execute(withNull('EUR:0.01'));
    expect(noDefault.reply).toMatchObject({ ename: 'ExpectationFailed', evalue: 'Check fx_null failed: 3 offending rows, impact USD 0.040 > materiality 0, impact null 1.500 > materiality 0' });
    expect(checkOf(noDefault).check.impacts).toEqual([
      { currency: 'EUR', impact: 0.002, materiality: 0.01, exceeded: false },
      { currency: 'USD', impact: 0.04, materiality: 0, exceeded: true },
      { currency: null, impact: 1.5, materiality: 0, exceeded: true },
    ]);
    expect(checkOf(await s.ok(withNull('EUR:0.01,*:2'))).check).toMatchObject({ status: 'passed', impact: 1.5, materiality: 2 });

    // No offending rows: no currencies, 0 against the default.
    const none = checkOf(await s.ok(`%%expect fx_none amount=amount currency=currency materiality=EUR:0.01,*:0.05\n${sql.replace('ORDER BY id DESC', 'WHERE id < 0')}`)).check;
    expect(none).toMatchObject({ status: 'passed', violations: 0, impact: 0, materiality: 0.05, currency: 'currency', impacts: [] });

    // A currency column the rows do not have: the caret under the option.
    const missing = await s.execute(`%%expect fx_missing amount=amount currency=ccy\n${sql}`);
    expect(missing.reply).toMatchObject({ status: 'error', ename: 'BinderError', evalue: expect.stringMatching(/"ccy" not found/) });
    expect(checkOf(missing).check).toMatchObject({ status: 'error', amount: 'amount', currency: 'ccy', materiality: 0 });
    expect(checkOf(missing).check.impacts).toBeUndefined();
    expect((missing.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect fx_missing amount=amount currency=ccy', `${' '.repeat('LINE 1: %%expect fx_missing amount=amount currency='.length)}^`]);
    const noAmount = await s.execute(`%%expect fx_missing amount=amt currency=currency\n${sql}`);
    expect((noAmount.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect fx_missing amount=amt currency=currency', `${' '.repeat('LINE 1: %%expect fx_missing amount='.length)}^`]);
    // An error in the check's SQL still points into it.
    const broken = await s.execute('%%expect fx_broken amount=amount currency=currency\nSELECT nope FROM (VALUES (1)) AS t(x)');
    expect((broken.reply.traceback as string[]).slice(1)).toEqual(['LINE 2: SELECT nope FROM (VALUES (1)) AS t(x)', `${' '.repeat('LINE 2: SELECT '.length)}^`]);
    // More currencies than a check keeps: the check cannot run.
    const many = await s.execute('%%expect fx_many amount=a currency=c\nSELECT i::VARCHAR AS c, 1 AS a FROM range(1001) AS t(i)');
    expect(many.reply).toMatchObject({ status: 'error', ename: 'ExpectationError', evalue: 'Cannot run check fx_many: currency=c has more than 1000 distinct values among the offending rows' });
    expect(checkOf(many).check).toMatchObject({ status: 'error', violations: null, currency: 'c' });
    // A per-currency list without currency= is refused before anything runs.
    const refused = await s.execute(`%%expect fx_list amount=amount materiality=EUR:0.01,JPY:1\n${sql}`);
    expect(refused.reply).toMatchObject({ status: 'error', ename: 'SqlError', evalue: expect.stringContaining('Cannot parse %%expect: a materiality per currency needs currency=<column>') });
    expect((refused.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect fx_list amount=amount materiality=EUR:0.01,JPY:1', `${' '.repeat('LINE 1: %%expect fx_list amount=amount '.length)}^`]);
    expect(types(refused)).toEqual(['error']);

    // The summary keeps each currency's impact.
    const summary = displays(await s.execute('%expect_summary'))[0]!.data;
    expect((summary[CHECK_SUMMARY_MIME] as CheckSummary).checks.find((c) => c.name === 'fx_rounding')).toEqual({ name: 'fx_rounding', severity: 'fail', status: 'failed', violations: 3, amount: 'amount', impact: 5, materiality: 0.01, currency: 'currency', impacts: [{ currency: 'EUR', impact: 0.009, materiality: 0.01, exceeded: false }, { currency: 'JPY', impact: 5, materiality: 0.01, exceeded: true }] });
    expect(String(summary['text/plain'])).toContain('  ✗ fx_rounding — 3 offending rows · impact EUR 0.009 ≤ materiality 0.01, impact JPY 5 > materiality 0.01 · severity fail');
  });

  it('never errors a cell for a warn-severity check, nor for a fail-severity one marked continue', async () => {
    await s.ok(`%params {"bronze": ${JSON.stringify(bronze)}}`);
    const warn = await s.ok(unbalanced('severity=warn'));
    expect(checkOf(warn).check).toMatchObject({ severity: 'warn', status: 'failed', violations: 2 });
    expect(checkOf(warn).data['text/plain']).toMatch(/^✗ unbalanced_moves — 2 offending rows · severity warn\n/);
    const cont = await s.ok('%%expect duplicate_bills severity=fail continue\nSELECT ref, count(*) AS n FROM (VALUES (\'B1\'), (\'B1\'), (\'B2\')) AS t(ref) GROUP BY ref HAVING count(*) > 1');
    expect(types(cont)).toEqual(['display_data']);
    expect(checkOf(cont).check).toMatchObject({ severity: 'fail', status: 'failed', violations: 1, sample: { rows: [['B1', 2]] } });
  });

  it('keeps the first n offending rows in the check order, as exact JSON values', async () => {
    const r = await s.execute(`%%expect odd_rows sample=2
SELECT * FROM (VALUES
  (3, 1234.50::DECIMAL(18,2), 12345678901234567.1234567890::DECIMAL(38,10), 'c', DATE '2026-10-31', TIMESTAMP '2026-10-31 23:59:58.5', 9007199254740993::BIGINT, NULL::VARCHAR),
  (1, -0.01::DECIMAL(18,2), 1::DECIMAL(38,10), 'a''b', DATE '2026-01-01', TIMESTAMP '2026-01-01 00:00:00', 1::BIGINT, 'x'),
  (2, 0::DECIMAL(18,2), 0::DECIMAL(38,10), 'b', DATE '2026-02-28', TIMESTAMP '2026-02-28 12:00:00', 2::BIGINT, 'y')
) AS t(id, amount, precise, label, day, posted_at, big, note)
ORDER BY id DESC`);
    expect(r.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check odd_rows failed: 3 offending rows' });
    const { check, data } = checkOf(r);
    expect(check.violations).toBe(3);
    expect(check.sample).toEqual({
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'amount', type: 'DECIMAL(18,2)' },
        { name: 'precise', type: 'DECIMAL(38,10)' },
        { name: 'label', type: 'VARCHAR' },
        { name: 'day', type: 'DATE' },
        { name: 'posted_at', type: 'TIMESTAMP' },
        { name: 'big', type: 'BIGINT' },
        { name: 'note', type: 'VARCHAR' },
      ],
      rows: [
        [3, 1234.5, '12345678901234567.1234567890', 'c', '2026-10-31', '2026-10-31T23:59:58.5', '9007199254740993', null],
        [2, 0, 0, 'b', '2026-02-28', '2026-02-28T12:00:00', 2, 'y'],
      ],
    });
    expect(data['text/plain']).toMatch(/\(3 rows × 8 columns · showing first 2 of 3 rows · /);
    // sample=0: the count and the impact without any row.
    const none = checkOf(await s.ok('%%expect counted sample=0 severity=warn amount=x\nSELECT * FROM (VALUES (1.5), (-2.5)) AS t(x)')).check;
    expect(none).toMatchObject({ status: 'failed', violations: 2, impact: 4, sample: { columns: [{ name: 'x', type: 'DECIMAL(2,1)' }], rows: [] } });
  });

  it('reports a check whose SQL cannot run as status error and errors the cell with the engine error', async () => {
    const missing = await s.execute('%%expect broken severity=warn\nSELECT id FROM no_such_table');
    expect(missing.reply).toMatchObject({ status: 'error', ename: 'CatalogError' });
    expect(types(missing)).toEqual(['display_data', 'error']);
    const { check, data } = checkOf(missing);
    expect(check).toEqual({
      name: 'broken',
      severity: 'warn',
      status: 'error',
      violations: null,
      sample: { columns: [], rows: [] },
      sql_sha256: sha256('SELECT id FROM no_such_table'),
      elapsed_ms: expect.any(Number),
      error: { ename: 'CatalogError', evalue: expect.stringMatching(/^Catalog Error: Table with name no_such_table does not exist/) },
    });
    expect(data['text/plain']).toMatch(/^✗ broken — could not run: CatalogError: Catalog Error: Table with name no_such_table/);
    // The caret points into the cell, under the table name.
    const tb = missing.reply.traceback as string[];
    expect(tb.slice(1)).toEqual(['LINE 2: SELECT id FROM no_such_table', `${' '.repeat('LINE 2: SELECT id FROM '.length)}^`]);

    // An amount column the rows do not have: the caret points at the option.
    const noColumn = await s.execute('%%expect tb_zero amount=balance\nSELECT 1 AS total');
    expect(noColumn.reply).toMatchObject({ status: 'error', ename: 'BinderError', evalue: expect.stringMatching(/"balance" not found/) });
    expect(checkOf(noColumn).check).toMatchObject({ status: 'error', amount: 'balance', materiality: 0 });
    expect((noColumn.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect tb_zero amount=balance', `${' '.repeat('LINE 1: %%expect tb_zero amount='.length)}^`]);

    // Not one SELECT: no statement, two statements, a command.
    const two = await s.execute('%%expect "Two statements"\nSELECT 1; SELECT 2');
    expect(two.reply).toMatchObject({ status: 'error', ename: 'ExpectationError', evalue: 'Cannot run check "Two statements": its SQL must be one SELECT returning the offending rows, not 2 statements' });
    expect(checkOf(two).check).toMatchObject({ name: 'Two statements', status: 'error', sql_sha256: sha256('SELECT 1; SELECT 2') });
    const create = await s.execute('%%expect creates\nCREATE TABLE t (a INTEGER)');
    expect(create.reply).toMatchObject({ status: 'error', ename: 'ParserError' });
    expect((await s.execute('SELECT * FROM t')).reply).toMatchObject({ status: 'error', ename: 'CatalogError' });
  });

  it('binds %params values inside a check, and reports a missing one as a check error', async () => {
    const unbound = await s.execute(unbalanced('severity=fail'));
    expect(unbound.reply).toMatchObject({ status: 'error', ename: 'SqlError', evalue: 'Cannot bind parameter $bronze: no parameter named "bronze" is defined' });
    expect(checkOf(unbound).check).toMatchObject({ name: 'unbalanced_moves', status: 'error', violations: null });

    await s.ok(`%params {"bronze": ${JSON.stringify(bronze)}, "company_currency": "EUR", "tolerance": 10}`);
    const r = await s.execute(`%%expect "Moves off by more than the tolerance" amount=difference sample=5
SELECT move_id, sum(debit) - sum(credit) AS difference, $company_currency AS currency
FROM read_parquet($bronze || '/account_move_line.parquet')
WHERE parent_state = 'posted'
GROUP BY move_id
HAVING abs(sum(debit) - sum(credit)) > $tolerance`);
    expect(r.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check "Moves off by more than the tolerance" failed: 1 offending row, impact 12.50 > materiality 0' });
    expect(checkOf(r).check).toMatchObject({ status: 'failed', violations: 1, impact: 12.5, sample: { rows: [[3, 12.5, 'EUR']] } });
  });

  it('sums up the session with %expect_summary: latest result per name, ExpectationFailed when a check blocks', async () => {
    const empty = await s.ok('%expect_summary');
    expect(displays(empty)[0]!.data[CHECK_SUMMARY_MIME]).toEqual({ status: 'passed', total: 0, passed: 0, failed: 0, warnings: 0, errors: 0, checks: [] });

    await s.ok(`%params {"bronze": ${JSON.stringify(bronze)}}`);
    await s.ok('%%expect trial_balance_zero\nSELECT company, currency, sum(balance) AS total FROM (VALUES (1, \'EUR\', 5.0), (1, \'EUR\', -5.0)) AS t(company, currency, balance) GROUP BY ALL HAVING sum(balance) <> 0');
    await s.ok(unbalanced('severity=fail amount=difference materiality=0.01 continue'));
    await s.ok('%%expect stale_rates severity=warn\nSELECT 1 AS rate_id');
    expect((await s.execute('%%expect missing_source\nSELECT * FROM bronze_nowhere')).reply).toMatchObject({ status: 'error' });

    const r = await s.execute('%expect_summary');
    expect(r.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: '2 of 4 checks failed: unbalanced_moves (2 offending rows), missing_source (could not run)' });
    expect(types(r)).toEqual(['display_data', 'error']);
    const shown = displays(r)[0]!.data;
    expect(shown[CHECK_SUMMARY_MIME] as CheckSummary).toEqual({
      status: 'failed',
      total: 4,
      passed: 1,
      failed: 1,
      warnings: 1,
      errors: 1,
      checks: [
        { name: 'trial_balance_zero', severity: 'fail', status: 'passed', violations: 0 },
        { name: 'unbalanced_moves', severity: 'fail', status: 'failed', violations: 2, amount: 'difference', impact: 12.51, materiality: 0.01 },
        { name: 'stale_rates', severity: 'warn', status: 'failed', violations: 1 },
        { name: 'missing_source', severity: 'fail', status: 'error', violations: null },
      ],
    });
    expect(shown['text/plain']).toBe(
      [
        '✗ Checks: 4 checks · 1 passed · 1 failed · 1 warning · 1 error',
        '  ✓ trial_balance_zero — no offending rows',
        '  ✗ unbalanced_moves — 2 offending rows · impact 12.51 > materiality 0.01 · severity fail',
        '  ✗ stale_rates — 1 offending row · severity warn',
        '  ✗ missing_source — could not run',
      ].join('\n'),
    );

    // Fixing the checks (same names, run again) replaces their results in place.
    await s.ok(unbalanced('severity=fail amount=difference materiality=20'));
    await s.ok('%%expect missing_source\nSELECT 1 AS x WHERE false');
    const fixed = await s.ok('%expect_summary');
    expect(displays(fixed)[0]!.data[CHECK_SUMMARY_MIME]).toMatchObject({ status: 'passed', total: 4, passed: 3, failed: 0, warnings: 1, errors: 0 });
    expect((displays(fixed)[0]!.data[CHECK_SUMMARY_MIME] as CheckSummary).checks.map((c) => c.name)).toEqual(['trial_balance_zero', 'unbalanced_moves', 'stale_rates', 'missing_source']);

    expect((await s.execute('%expect_summary now')).reply).toMatchObject({ status: 'error', ename: 'SqlError', evalue: 'Cannot run %expect_summary: it takes no arguments and stands alone in its cell' });
  });

  it('records nothing for an interrupted check', async () => {
    const req = await s.send('%%expect endless\nSELECT i FROM range(1000000000000) AS t(i) WHERE i < 0');
    await s.interrupt();
    expect((await s.reply(req)).content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(displays(await s.ok('%expect_summary'))[0]!.data[CHECK_SUMMARY_MIME]).toMatchObject({ total: 0 });
  });

  it('refuses a malformed %%expect line with a caret under the problem, running nothing', async () => {
    const r = await s.execute('%%expect close severity=fatal\nSELECT 1');
    expect(r.reply).toMatchObject({ status: 'error', ename: 'SqlError', evalue: 'Cannot parse %%expect: severity must be fail or warn, not "fatal"' });
    expect(types(r)).toEqual(['error']);
    expect((r.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect close severity=fatal', `${' '.repeat('LINE 1: %%expect close severity='.length)}^`]);
    expect(displays(await s.ok('%expect_summary'))[0]!.data[CHECK_SUMMARY_MIME]).toMatchObject({ total: 0 });
  });
});

describe('SqlKernel data-quality checks on a PostgreSQL connection', () => {
  const DB = `wb_sql_expect_${process.pid}`;
  let s: Session;

  beforeAll(async () => {
    await createOdooDatabase(DB, 200);
    s = await Session.start(new Map([['odoo', { name: 'odoo', kind: 'postgres', host: PG.host, port: PG.port, database: DB, user: PG.user, password: undefined, applicationName: 'wb-test', statementTimeoutMs: undefined, ssl: false }]]));
  });
  afterAll(async () => {
    await s?.[Symbol.asyncDispose]();
    await dropDatabase(DB);
  });

  it('evaluates a check on the connection of the cell, with the impact exact from numeric', async () => {
    // Moves 1-3 are posted, for 10.50, 21.00 and 31.50.
    const sql = "-- connection: odoo\nSELECT id, amount_total FROM account_move WHERE state = 'posted' AND id <= 3 ORDER BY id DESC";
    const within = checkOf(await s.ok(`%%expect large_posted_moves amount=amount_total materiality=63 sample=2\n${sql}`));
    expect(within.check).toMatchObject({
      status: 'passed',
      violations: 3,
      impact: 63,
      materiality: 63,
      sample: { columns: [{ name: 'id', type: 'integer' }, { name: 'amount_total', type: 'numeric' }], rows: [[3, '31.50'], [2, '21.00']] },
    });
    expect(within.metadata).toEqual({ workbench: { connection: 'odoo', check: 'large_posted_moves' } });
    const above = await s.execute(`%%expect large_posted_moves amount=amount_total materiality=62.99\n${sql}`);
    expect(above.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check large_posted_moves failed: 3 offending rows, impact 63.00 > materiality 62.99' });
    const broken = await s.execute('%%expect pg_broken\n-- connection: odoo\nSELECT nope FROM account_move');
    expect(broken.reply).toMatchObject({ status: 'error', ename: 'PostgresError', evalue: 'column "nope" does not exist' });
    expect((broken.reply.traceback as string[]).slice(1)).toEqual(['LINE 3: SELECT nope FROM account_move', `${' '.repeat('LINE 3: SELECT '.length)}^`]);
  });

  it('weighs the impact per currency on the connection, with %params bound in both queries', async () => {
    // Moves of two companies: EUR ones off by under a cent together, a JPY one off by 5 yen; the sample keeps the first row in the check's order.
    await s.ok('%params {"min_id": 1}');
    const sql = `-- connection: odoo
SELECT m.id, d.currency, d.difference
FROM account_move m
JOIN (VALUES (2, 'EUR', 0.004), (3, 'EUR', -0.005), (4, 'JPY', 5)) AS d(move_id, currency, difference) ON d.move_id = m.id
WHERE m.id > $min_id
ORDER BY m.id`;
    const fx = (m: string) => `%%expect fx_pg amount=difference currency=currency sample=1 materiality=${m}\n${sql}`;
    const failed = await s.execute(fx('EUR:0.01,JPY:1'));
    expect(failed.reply).toMatchObject({ status: 'error', ename: 'ExpectationFailed', evalue: 'Check fx_pg failed: 3 offending rows, impact JPY 5 > materiality 1' });
    expect(checkOf(failed).check).toMatchObject({
      status: 'failed',
      violations: 3,
      impact: 5,
      materiality: 1,
      currency: 'currency',
      impacts: [
        { currency: 'EUR', impact: 0.009, materiality: 0.01, exceeded: false },
        { currency: 'JPY', impact: 5, materiality: 1, exceeded: true },
      ],
      sample: { columns: [{ name: 'id', type: 'integer' }, { name: 'currency', type: 'text' }, { name: 'difference', type: 'numeric' }], rows: [[2, 'EUR', '0.004']] },
    });
    const passed = checkOf(await s.ok(fx('EUR:0.01,JPY:10'))).check;
    expect(passed).toMatchObject({ status: 'passed', impact: 5, materiality: 10, impacts: [{ currency: 'EUR', exceeded: false }, { currency: 'JPY', exceeded: false }] });

    // A currency column the rows do not have: PostgreSQL's caret maps to the option.
    const missing = await s.execute(`%%expect fx_pg amount=difference currency=ccy\n${sql}`);
    expect(missing.reply).toMatchObject({ status: 'error', ename: 'PostgresError', evalue: 'column "ccy" does not exist' });
    expect((missing.reply.traceback as string[]).slice(1)).toEqual(['LINE 1: %%expect fx_pg amount=difference currency=ccy', `${' '.repeat('LINE 1: %%expect fx_pg amount=difference currency='.length)}^`]);
  });
});
