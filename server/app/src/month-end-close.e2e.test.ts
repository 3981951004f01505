/**
 * The month-end close template on generated Odoo databases, through the
 * server with real kernels: installed from the template, it extracts the
 * closed month's accounting into a bronze snapshot with the connection's
 * credential, runs the close checks and writes gold. A database with the
 * seven seeded faults fails the close, each fault caught by its check with
 * the offending entry in the sample; a clean database passes every check
 * (no false alarm) and gets its gold tables, published into a serving
 * PostgreSQL database with their Superset datasets (the Superset API
 * simulator, its database "serving" reading that PostgreSQL database),
 * created by the first close and refreshed, not duplicated, by the next.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FAULT_KINDS, generateOdooDemo, type DemoSummary, type FaultKind } from '@workbench/odoo';
import { gitBlobId, type RunDetail } from '@workbench/pipelines';
import { PG_TEST_SERVER, testDatabases } from '@workbench/store/testing';
import { startSupersetApiSimulator, type SupersetApiSimulator } from '@workbench/superset/testing';
import { startTestServer, type TestServer } from './testing/harness';
import { jsonRequest, pipelineId as registered, runEnded, writeWorkspace } from './testing/pipelines';

const CHECK_OF: Record<FaultKind, string> = {
  unbalanced_move: 'unbalanced_moves',
  subledger_mismatch: 'subledger_vs_control',
  duplicate_bill: 'duplicate_vendor_bills',
  changed_after_lock: 'changed_after_lock',
  sequence_gap: 'sequence_gaps',
  bank_line_missing_in_gl: 'bank_vs_gl',
  suspense_not_cleared: 'suspense_at_zero',
};

describe('the month-end close template on a generated Odoo database', () => {
  const databases = testDatabases('postgres');
  let ts: TestServer;
  let faulty: DemoSummary;
  let clean: DemoSummary;
  let servingDb: string;
  let superset: SupersetApiSimulator;
  /** The clean close's pipeline and the run whose gold stands after the rollback (set by the clean test, read by the last one). */
  let cleanPipeline: string | undefined;
  let standing: RunDetail | undefined;
  /** A login that may read every Odoo table but the bank statement lines: an extract through it fails part-way. */
  const partialReader = `wb_close_partial_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const [a, b, c] = [await databases.create(), await databases.create(), await databases.create()];
    servingDb = new URL(c.url!).pathname.slice(1);
    superset = await startSupersetApiSimulator({
      users: [{ username: 'publisher', password: 'Publisher-Pass-1' }],
      databases: [{ name: 'serving', postgres: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: servingDb } }],
    });
    faulty = await generateOdooDemo({ connection: a.url!, lines: 20_000, seed: 11, faults: [...FAULT_KINDS] });
    clean = await generateOdooDemo({ connection: b.url!, lines: 20_000, seed: 11 });
    ts = await startTestServer([], process.env, { pipelines: { poll_ms: 200 } });
    for (const [name, db] of [
      ['odoo_faulty', faulty.database],
      ['odoo_clean', clean.database],
    ] as const) {
      const made = await jsonRequest(ts, 'POST', 'api/connections', { name, kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: db, user: PG_TEST_SERVER.user }, credential: { password: 'unused-with-trust' } });
      expect(made.status).toBe(201);
    }
    const serving = await jsonRequest(ts, 'POST', 'api/connections', { name: 'serving', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: servingDb, user: PG_TEST_SERVER.user }, credential: { password: 'unused-with-trust' } });
    expect(serving.status).toBe(201);
    const odoo = new Client({ host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: clean.database });
    await odoo.connect();
    try {
      await odoo.query(`CREATE ROLE ${partialReader} LOGIN`);
      await odoo.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${partialReader}`);
      await odoo.query(`REVOKE SELECT ON account_bank_statement_line FROM ${partialReader}`);
    } finally {
      await odoo.end();
    }
    const partial = await jsonRequest(ts, 'POST', 'api/connections', { name: 'odoo_partial', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: clean.database, user: partialReader }, credential: { password: 'unused-with-trust' } });
    expect(partial.status).toBe(201);
    const bi = await jsonRequest(ts, 'POST', 'api/connections', { name: 'bi', kind: 'superset', settings: { url: superset.url, username: 'publisher', database: 'serving' }, credential: { password: 'Publisher-Pass-1' } });
    expect(bi.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await superset?.[Symbol.asyncDispose]();
    if (clean) {
      const odoo = new Client({ host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: clean.database });
      await odoo.connect();
      try {
        await odoo.query(`DROP OWNED BY ${partialReader}`).catch(() => undefined);
        await odoo.query(`DROP ROLE IF EXISTS ${partialReader}`);
      } finally {
        await odoo.end();
      }
    }
    await databases[Symbol.asyncDispose]();
  });

  async function install(folder: string): Promise<string> {
    const installed = await jsonRequest<{ pipelines: { id: string; path: string }[] }>(ts, 'POST', 'api/templates/month-end-close/install', { folder, values: { connection: 'odoo_clean' } });
    expect({ status: installed.status, body: installed.status === 201 ? 'ok' : installed.body }).toEqual({ status: 201, body: 'ok' });
    const [pipeline] = installed.body.pipelines;
    expect(pipeline!.path).toBe(`${folder}/month-end-close.pipeline.yaml`);
    return pipeline!.id;
  }

  async function runClose(pipelineId: string, summary: DemoSummary, parameters: Record<string, string>): Promise<RunDetail> {
    // The close of the demo's last month: logical date the day after it ends.
    const logical = new Date(Date.parse(`${summary.period.to}T00:00:00Z`) + 86_400_000 + 6 * 3_600_000).toISOString();
    const run = await jsonRequest<{ id: string }>(ts, 'POST', `api/pipelines/${pipelineId}/runs`, { parameters, logical_date: logical });
    expect(run.status).toBe(201);
    return runEnded(ts, run.body.id);
  }

  it('fails the close on the faulty database, each seeded fault caught by its check', async () => {
    const run = await runClose(await install('close-faulty'), faulty, { connection: 'odoo_faulty' });
    expect(run.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['extract', 'succeeded'],
      ['checks', 'failed'],
      ['gold', 'skipped'],
      ['publish', 'skipped'],
    ]);
    expect(run.tasks[0]!.values.row_count).toBeGreaterThan(10_000);
    const checks = new Map(run.checks.map((c) => [c.name, c]));
    for (const fault of faulty.faults) {
      const check = checks.get(CHECK_OF[fault.kind]);
      expect({ fault: fault.kind, status: check?.status }).toEqual({ fault: fault.kind, status: 'failed' });
      const sample = JSON.stringify(check!.sample.rows);
      if ('moveId' in fault) expect(sample).toContain(String(fault.moveId));
    }
    // Nothing else fails: the seeded faults are the only ones.
    const failing = run.checks.filter((c) => c.status !== 'passed' && c.severity === 'fail').map((c) => c.name);
    expect(new Set(failing)).toEqual(new Set([...faulty.faults.map((f) => CHECK_OF[f.kind]), 'trial_balance_zero']));
    const manifest = JSON.parse(readFileSync(join(ts.rootDir, 'close-faulty', String(run.tasks[0]!.values.bronze), '_manifest.json'), 'utf8')) as { tables: Record<string, { rows: number }>; high_water: Record<string, string> };
    expect(manifest.tables.account_move_line!.rows).toBe(run.tasks[0]!.values.row_count);
    expect(manifest.high_water['account_move_line.id']).toMatch(/^\d+$/);
  }, 170_000);

  it('passes every check on the clean database, writes the gold tables and publishes them (datasets created, then refreshed)', async () => {
    const pipelineId = await install('close-clean');
    const parameters = { connection: 'odoo_clean', serving_connection: 'serving', superset_connection: 'bi' };
    const run = await runClose(pipelineId, clean, parameters);
    const failed = run.checks.filter((c) => c.status !== 'passed' && c.severity === 'fail');
    expect(failed.map((c) => [c.name, c.violations, c.sample.rows.slice(0, 3)])).toEqual([]);
    expect(run.status).toBe('succeeded');
    for (const table of ['trial_balance', 'profit_and_loss', 'balance_sheet', 'aging', 'bank_reconciliation']) expect(existsSync(join(ts.rootDir, 'close-clean', 'gold', run.period.label, run.id, `${table}.parquet`))).toBe(true);
    expect(run.tasks[2]!.values.row_count).toBeGreaterThan(0);
    // Every gold row carries its provenance: the run, the snapshot, git's id of the gold notebook it ran, its parameters;
    // and every figure ties out to its journal items (the gold task's own check).
    const provenance = await parquetQuery(`SELECT DISTINCT run_id, snapshot, notebook_version, json_extract_string(parameters, '$.bronze') AS bronze, json_extract_string(parameters, '$.period_end') AS period_end FROM read_parquet('${join(ts.rootDir, 'close-clean', 'gold', run.period.label, run.id, 'trial_balance.parquet')}')`);
    expect(provenance).toEqual([[run.id, run.tasks[0]!.values.snapshot, gitBlobId(readFileSync(join(ts.rootDir, 'close-clean', '03_gold.ipynb'), 'utf8')), run.tasks[0]!.values.bronze, run.period.end]]);
    expect(run.checks.filter((c) => c.taskId === 'gold').map((c) => [c.name, c.status, c.violations])).toEqual([['gold_ties_to_journal', 'passed', 0]]);

    // Published: each gold table in gold.<table> of the serving database, with the gold file's rows.
    const tables = ['aging', 'balance_sheet', 'bank_reconciliation', 'profit_and_loss', 'trial_balance'];
    const goldRows = await parquetRows(tables.map((t) => join(ts.rootDir, 'close-clean', 'gold', run.period.label, run.id, `${t}.parquet`)));
    expect(run.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['extract', 'succeeded'],
      ['checks', 'succeeded'],
      ['gold', 'succeeded'],
      ['publish', 'succeeded'],
    ]);
    expect(run.tasks[3]!.values.published).toEqual(Object.fromEntries(tables.map((t, i) => [t, goldRows[i]])));
    expect(await servingRows(tables)).toEqual(goldRows);
    expect(run.tasks[3]!.values.datasets).toEqual(Object.fromEntries(tables.map((t) => [t, 'created'])));
    const datasets = superset.datasets().map((d) => ({ id: d.id, schema: d.schema, table: d.table_name, columns: d.columns.length }));
    expect(datasets.map((d) => [d.schema, d.table]).sort()).toEqual(tables.map((t) => ['gold', t]));
    expect(datasets.every((d) => d.columns > 0)).toBe(true);

    // The next close of the period replaces the tables and refreshes the same datasets.
    const again = await runClose(pipelineId, clean, parameters);
    expect(again.status).toBe('succeeded');
    expect(again.tasks[3]!.values.datasets).toEqual(Object.fromEntries(tables.map((t) => [t, 'refreshed'])));
    expect(await servingRows(tables)).toEqual(goldRows);
    expect(superset.datasets().map((d) => ({ id: d.id, schema: d.schema, table: d.table_name, columns: d.columns.length }))).toEqual(datasets);
    // A rerun of the same data gives the same content hashes (provenance columns aside).
    expect(goldHashes('close-clean', again)).toEqual(goldHashes('close-clean', run));
    expect(readFileSync(join(ts.rootDir, 'close-clean', 'gold', run.period.label, 'CURRENT'), 'utf8').trim()).toBe(again.id);

    // Odoo changes (a late posted entry), the close runs again: different figures, published.
    const servingBefore = await servingDigest('trial_balance');
    const odoo = new Client({ host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: clean.database });
    await odoo.connect();
    try {
      await odoo.query(`WITH m AS (SELECT m.* FROM account_move m JOIN res_company c ON c.id = m.company_id WHERE m.state = 'posted' AND m.move_type = 'entry' AND m.currency_id = c.currency_id AND m.date <= $1 ORDER BY m.date DESC, m.id DESC LIMIT 1)
        UPDATE account_move_line SET debit = debit + 100, balance = balance + 100, amount_currency = amount_currency + 100 WHERE id = (SELECT min(l.id) FROM account_move_line l, m WHERE l.move_id = m.id AND l.debit > 0)`, [clean.period.to]);
      await odoo.query(`WITH m AS (SELECT m.* FROM account_move m JOIN res_company c ON c.id = m.company_id WHERE m.state = 'posted' AND m.move_type = 'entry' AND m.currency_id = c.currency_id AND m.date <= $1 ORDER BY m.date DESC, m.id DESC LIMIT 1)
        UPDATE account_move_line SET credit = credit + 100, balance = balance - 100, amount_currency = amount_currency - 100 WHERE id = (SELECT min(l.id) FROM account_move_line l, m WHERE l.move_id = m.id AND l.credit > 0)`, [clean.period.to]);
    } finally {
      await odoo.end();
    }
    const changed = await runClose(pipelineId, clean, parameters);
    expect(changed.status).toBe('succeeded');
    expect(goldHashes('close-clean', changed).trial_balance).not.toBe(goldHashes('close-clean', again).trial_balance);
    expect(await servingDigest('trial_balance')).not.toBe(servingBefore);

    // Rolled back: the serving tables and CURRENT are the previous run's again, byte for byte, and why is on record.
    expect((await jsonRequest(ts, 'POST', `api/runs/${changed.id}/rollback`, {})).status).toBe(400);
    const rb = await jsonRequest<{ id: string; trigger: string }>(ts, 'POST', `api/runs/${changed.id}/rollback`, { reason: 'late entry posted after the close was signed off' });
    expect(rb.status).toBe(201);
    const rolled = await runEnded(ts, rb.body.id);
    expect(rolled.status).toBe('succeeded');
    expect(rolled.trigger).toBe('rollback');
    expect(rolled.tasks.map((t) => t.taskId)).toEqual(['rollback']);
    expect(rolled.tasks[0]!.values).toMatchObject({ restored: again.id, rolled_back: changed.id, reason: 'late entry posted after the close was signed off', content_md5: goldHashes('close-clean', again) });
    expect(await servingDigest('trial_balance')).toBe(servingBefore);
    expect(readFileSync(join(ts.rootDir, 'close-clean', 'gold', run.period.label, 'CURRENT'), 'utf8').trim()).toBe(again.id);
    const record = (await ts.wb.audit.query({ action: 'write', resource: 'pipelines', limit: 1000 })).find((r) => r.detail.route === '/api/runs/:id/rollback' && r.outcome === 'ok' && r.detail.reason);
    expect(record?.detail).toMatchObject({ run: changed.id, reason: 'late entry posted after the close was signed off' });
    // The period's close report: every run of the period, and the figures that stand (the restored run's).
    const period = await jsonRequest<{ standing: string; runs: { id: string; trigger: string; status: string }[]; report: { checks: { summary: { failed: number } }; tasks: { id: string }[] } }>(ts, 'GET', `api/pipelines/${pipelineId}/periods/${run.period.label}/report`);
    expect(period.body.standing).toBe(again.id);
    expect(period.body.runs.map((r) => [r.id, r.trigger, r.status])).toEqual([
      [rb.body.id, 'rollback', 'succeeded'],
      [changed.id, 'manual', 'succeeded'],
      [again.id, 'manual', 'succeeded'],
      [run.id, 'manual', 'succeeded'],
    ]);
    expect(period.body.report.checks.summary.failed).toBe(0);
    expect(period.body.report.tasks.map((t) => t.id)).toEqual(['extract', 'checks', 'gold', 'publish']);
    const md = await (await fetch(`${ts.baseUrl}api/pipelines/${pipelineId}/periods/${run.period.label}/report?format=md`, { headers: { Authorization: 'token test-token-0123456789' } })).text();
    expect(md).toContain(`# Month-end close: close report for ${run.period.label}`);
    expect(md).toContain('### Checks');
    // Once per run: asking again answers the same rollback run.
    expect((await jsonRequest<{ id: string }>(ts, 'POST', `api/runs/${changed.id}/rollback`, { reason: 'again' })).body.id).toBe(rb.body.id);
    cleanPipeline = pipelineId;
    standing = again;
  }, 400_000);

  it('drills from a gold figure down to its journal items, which add up to it', async () => {
    expect(standing).toBeDefined();
    const run = standing!;
    const goldDir = `gold/${run.period.label}/${run.id}`;
    const [[company, account, figure]] = (await parquetQuery(
      `SELECT company_id, account_code, CAST(closing_balance AS VARCHAR) FROM read_parquet('${join(ts.rootDir, 'close-clean', goldDir, 'trial_balance.parquet')}') WHERE account_type = 'asset_receivable' ORDER BY company_id LIMIT 1`,
    )) as [[number, string, string]];
    const drill = (account_code: string) => `tasks:\n  drill:\n    notebook: close-clean/06_drilldown.ipynb\n    parameters: { gold_dir: "${goldDir}", company_id: ${company}, account_code: "${account_code}" }\n`;
    await writeWorkspace(ts, { 'close-clean/drill.pipeline.yaml': drill(account), 'close-clean/drill-nowhere.pipeline.yaml': drill('no-such-account') });
    const start = async (path: string) => runEnded(ts, (await jsonRequest<{ id: string }>(ts, 'POST', `api/pipelines/${await registered(ts, path)}/runs`, {})).body.id);
    const found = await start('close-clean/drill.pipeline.yaml');
    expect({ status: found.status, error: found.tasks[0]!.error }).toEqual({ status: 'succeeded', error: null });
    expect(found.checks.map((c) => [c.name, c.status])).toEqual([['drill_down_ties_out', 'passed']]);
    // The items listed are the receivable's posted lines up to the period end in the bronze snapshot the gold row names.
    const bronze = String(run.tasks[0]!.values.bronze);
    const [[items, total]] = (await parquetQuery(
      `SELECT count(*), CAST(sum(l.balance) AS VARCHAR) FROM read_parquet('${join(ts.rootDir, 'close-clean', bronze, 'account_move_line.parquet')}') l JOIN read_parquet('${join(ts.rootDir, 'close-clean', bronze, 'account_account.parquet')}') a ON a.id = l.account_id WHERE l.parent_state = 'posted' AND l.company_id = ${company} AND a.code = '${account}'`,
    )) as [[number, string]];
    expect(Number(items)).toBeGreaterThan(10);
    expect(total).toBe(figure);
    expect(found.tasks[0]!.values.row_count).toBe(Number(items));
    // A figure gold does not have is not made up: the drill-down says so.
    const nowhere = await start('close-clean/drill-nowhere.pipeline.yaml');
    expect(nowhere.status).toBe('failed');
    expect(nowhere.tasks[0]!.error).toContain(`The trial balance in ${goldDir} has no row for company ${company}, account no-such-account`);
  }, 120_000);

  it('keeps the previous bronze when an extract fails part-way', async () => {
    expect(cleanPipeline).toBeDefined();
    const label = standing!.period.label;
    const periodDir = join(ts.rootDir, 'close-clean', 'bronze', label);
    const current = readFileSync(join(periodDir, 'CURRENT'), 'utf8');
    const digest = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
    const before = digest(join(periodDir, current.trim()));
    const snapshots = readdirSync(periodDir).filter((f) => f !== 'CURRENT').sort();
    // No retry for this run: the extract's one attempt fails on the statement lines, the eighth table it reads.
    const yamlPath = join(ts.rootDir, 'close-clean', 'month-end-close.pipeline.yaml');
    await writeWorkspace(ts, { 'close-clean/month-end-close.pipeline.yaml': readFileSync(yamlPath, 'utf8').replace('  retries: 1\n', '  retries: 0\n') });
    expect(await registered(ts, 'close-clean/month-end-close.pipeline.yaml')).toBe(cleanPipeline);
    const failed = await runClose(cleanPipeline!, clean, { connection: 'odoo_partial' });
    expect(failed.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['extract', 'failed'],
      ['checks', 'skipped'],
      ['gold', 'skipped'],
      ['publish', 'skipped'],
    ]);
    expect(failed.tasks[0]!.error).toMatch(/permission denied for table account_bank_statement_line/);
    // Seven tables were written into a new snapshot folder, which never became the period's bronze.
    const added = readdirSync(periodDir).filter((f) => f !== 'CURRENT' && !snapshots.includes(f));
    expect(added).toHaveLength(1);
    expect(readdirSync(join(periodDir, added[0]!))).toHaveLength(7);
    expect(readFileSync(join(periodDir, 'CURRENT'), 'utf8')).toBe(current);
    expect(digest(join(periodDir, current.trim()))).toEqual(before);
    expect(readFileSync(join(ts.rootDir, 'close-clean', 'gold', label, 'CURRENT'), 'utf8').trim()).toBe(standing!.id);
  }, 120_000);

  async function parquetQuery(sql: string): Promise<unknown[][]> {
    const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      return (await c.runAndReadAll(sql)).getRows().map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    } finally {
      c.closeSync();
      db.closeSync();
    }
  }

  function goldHashes(folder: string, run: RunDetail): Record<string, string> {
    const list = JSON.parse(readFileSync(join(ts.rootDir, folder, 'gold', run.period.label, run.id, '_hashes.json'), 'utf8')) as { table: string; content_md5: string }[];
    return Object.fromEntries(list.map((h) => [h.table, h.content_md5]));
  }

  async function servingDigest(table: string): Promise<string> {
    const c = new Client({ host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: servingDb });
    await c.connect();
    try {
      return String((await c.query(`select md5(string_agg(t::text, E'\\n' order by t::text)) as d from gold.${table} t`)).rows[0].d);
    } finally {
      await c.end();
    }
  }

  async function servingRows(tables: readonly string[]): Promise<number[]> {
    const c = new Client({ host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, user: PG_TEST_SERVER.user, database: servingDb });
    await c.connect();
    try {
      const counts: number[] = [];
      for (const t of tables) counts.push(Number((await c.query(`select count(*) as n from gold.${t}`)).rows[0].n));
      return counts;
    } finally {
      await c.end();
    }
  }

  async function parquetRows(files: readonly string[]): Promise<number[]> {
    const counts: number[] = [];
    for (const f of files) counts.push(Number((await parquetQuery(`select count(*) from read_parquet('${f.replace(/'/g, "''")}')`))[0]![0]));
    return counts;
  }
});
