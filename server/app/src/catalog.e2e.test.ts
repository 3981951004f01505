/**
 * The data catalog through the HTTP API of a running server: an
 * Odoo-shaped PostgreSQL database of the test's own registered as a
 * connection, discovered, searched, previewed (personal data masked by
 * role), described and tagged by engineers (audited), and the
 * column-level lineage of a CTAS that a SQL cell ran through the gateway.
 */
import { Client } from 'pg';
import { SessionManager, KernelManager } from '@jupyterlab/services';
import { waitForEvent } from '@workbench/core';
import { connectPgAdmin, PG_TEST_SERVER } from '@workbench/store/testing';
import { createOdooSchema } from '@workbench/catalog/testing/odoo-schema';
import { api, makeSettings, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const VIEWER = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const ANALYST = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const ENGINEER = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };
const DB = `wb_catalog_e2e_${process.pid}`;
const AML = 'api/catalog/tables/odoo/public/account_move_line';
const PARTNER = 'api/catalog/tables/odoo/public/res_partner';

describe('the data catalog over HTTP', () => {
  let ts: TestServer;
  const call = (path: string, token: string, method = 'GET', body?: unknown) => api(ts, path, { method, token, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = async (path: string, token: string, method = 'GET', body?: unknown) => {
    const r = await call(path, token, method, body);
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    const admin = await connectPgAdmin();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.query(`create database ${DB}`);
    await admin.end();
    const c = new Client({ ...PG_TEST_SERVER, database: DB });
    await c.connect();
    await createOdooSchema(c);
    await c.end();
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VIEWER, ANALYST, ENGINEER] });
    await json('api/connections', ENGINEER.token, 'POST', { name: 'odoo', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas: ['public'] } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    const admin = await connectPgAdmin();
    await admin.query(`drop database if exists ${DB} with (force)`);
    await admin.end();
  });

  it('lets analysts refresh a source (not viewers) and everyone find "journal"', async () => {
    expect((await call('api/catalog/sources/odoo/refresh', VIEWER.token, 'POST')).status).toBe(403);
    const run = await json('api/catalog/sources/odoo/refresh', ANALYST.token, 'POST');
    expect(run).toMatchObject({ status: 'ok', counts: { tables: 5, added: 5 } });
    const sources = await json('api/catalog/sources', VIEWER.token);
    expect(sources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'odoo', kind: 'postgres', tables: 5 }), expect.objectContaining({ name: 'warehouse', kind: 'warehouse' })]));
    const found = await json('api/catalog/search?q=journal&kind=table', VIEWER.token);
    expect(found.hits.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['account_journal', 'account_move_line', 'account_move']));
    const t = await json(AML, VIEWER.token);
    expect(t).toMatchObject({ qualified: 'odoo.public.account_move_line', comment: 'Journal Item', row_count: 200 });
  });

  it('masks personal data in previews for analysts once an engineer confirms the tag, and audits every preview', async () => {
    expect((await call(`${PARTNER}/classify`, ANALYST.token, 'POST')).status).toBe(403);
    const suggested = await json(`${PARTNER}/classify`, ENGINEER.token, 'POST');
    expect(suggested).toEqual(expect.arrayContaining([expect.objectContaining({ column: 'email', suggestion: expect.objectContaining({ tag: 'pii:email' }) })]));
    await json(`${PARTNER}/tags?column=email`, ENGINEER.token, 'POST', { tag: 'pii:email', state: 'confirmed' });
    const seen = async (token: string) => {
      const p = await json(`${PARTNER}/preview?limit=5`, token);
      const i = p.columns.findIndex((c: { name: string }) => c.name === 'email');
      return { masked: p.columns[i].masked as boolean, value: p.rows[0][i] as string };
    };
    expect(await seen(ANALYST.token)).toEqual({ masked: true, value: '••••••' });
    expect((await seen(ENGINEER.token)).value).toMatch(/@example\.com$/);
    const previews = (await ts.wb.audit.query({ resource: 'catalog', limit: 1000 })).filter((r) => r.detail.route === '/api/catalog/tables/:source/:schema/:table/preview');
    expect(previews.map((r) => [r.actor, r.action, r.outcome])).toEqual([['anna', 'read', 'ok'], ['emil', 'read', 'ok']]);
  });

  it('lets engineers describe tables (audited with before and after), not viewers', async () => {
    expect((await call(AML, VIEWER.token, 'PATCH', { description: 'x' })).status).toBe(403);
    await json(AML, ENGINEER.token, 'PATCH', { description: 'One line per debit or credit; the close reads posted ones', owner: 'finance-data' });
    const rec = (await ts.wb.audit.query({ resource: 'catalog', action: 'write', limit: 1000 })).find((r) => r.outcome === 'ok' && r.detail.route === '/api/catalog/tables/:source/:schema/:table');
    expect(rec?.detail).toMatchObject({ before: { description: null, owner: null }, after: { description: 'One line per debit or credit; the close reads posted ones', owner: 'finance-data' } });
    expect((await json('api/catalog/search?q=debit%20credit%20posted', VIEWER.token)).hits[0].name).toBe('account_move_line');
  });

  it('records column-level lineage and usage of a CTAS that a SQL cell ran, joining two sources', async () => {
    const sessions = new SessionManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token), kernelManager: new KernelManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token) }) });
    try {
      const s = await sessions.startNew({ path: 'close/2026-11.ipynb', type: 'notebook', name: 'close', kernel: { name: 'sql' } });
      const k = s.kernel!;
      expect((await runCell(k, `CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS gold;
        CREATE OR REPLACE TABLE bronze.account_move_line AS SELECT * FROM (VALUES (1, 10, 'posted', 100.0, 0.0), (2, 11, 'posted', 0.0, 40.0)) t(id, partner_id, parent_state, debit, credit);
        CREATE OR REPLACE TABLE bronze.res_partner AS SELECT * FROM (VALUES (10, 'Marie Dupont'), (11, 'Jean Martin')) t(id, name)`)).error).toBeUndefined();
      const recorded = waitForEvent(ts.wb.catalog.sql.onRecorded, (r) => r.input.sql.includes('gold.partner_balance'));
      expect((await runCell(k, `CREATE TABLE gold.partner_balance AS
        SELECT p.name AS partner, SUM(l.debit - l.credit) AS balance
          FROM bronze.account_move_line l JOIN bronze.res_partner p ON p.id = l.partner_id
         WHERE l.parent_state = 'posted' GROUP BY p.name`)).error).toBeUndefined();
      expect(await recorded).toMatchObject({ status: 'ok', input: { source: 'warehouse', actor: 'anna', notebook: 'close/2026-11.ipynb' } });
      await s.shutdown();
    } finally {
      sessions.dispose();
    }
    await json('api/catalog/sources/warehouse/refresh', ANALYST.token, 'POST');
    const g = await json('api/catalog/tables/warehouse/gold/partner_balance/lineage?depth=1', VIEWER.token);
    const edges = g.edges.filter((e: { to: { column: string } }) => e.to.column !== '').map((e: { from: { key: string; column: string }; to: { column: string }; transform: string }) => `${JSON.parse(e.from.key).slice(1).join('.')}.${e.from.column} -> ${e.to.column} (${e.transform})`).sort();
    expect(edges).toEqual(['bronze.account_move_line.credit -> balance (aggregate)', 'bronze.account_move_line.debit -> balance (aggregate)', 'bronze.res_partner.name -> partner (identity)']);
    expect(g.nodes.every((n: { in_catalog: boolean }) => n.in_catalog)).toBe(true);
    const usage = await json('api/catalog/tables/warehouse/bronze/account_move_line/usage', VIEWER.token);
    expect(usage).toMatchObject({ queries: 1, users: [{ actor: 'anna', queries: 1 }] });
    const exported = await call('api/catalog/openlineage', ENGINEER.token);
    expect(exported.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const events = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ eventType: 'COMPLETE', outputs: [expect.objectContaining({ name: expect.stringContaining('partner_balance') })] });
  });

  it('refuses bad input with a clear 400 or 404', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['api/catalog/search?q=x&limit=0', 'GET', undefined, 400, /limit must be a whole number from 1 to 200/],
      ['api/catalog/search?q=x&kind=planet', 'GET', undefined, 400, /kind must be among/],
      [`${AML}/preview?mode=all`, 'GET', undefined, 400, /mode must be "first" or "sample"/],
      [`${AML}/preview?limit=100000`, 'GET', undefined, 400, /limit must be a whole number from 1 to 1000/],
      [`${AML}/lineage?depth=9`, 'GET', undefined, 400, /depth must be a whole number from 1 to 5/],
      ['api/catalog/tables/odoo/public/%22%3B%20drop%20table%20x%3B--', 'GET', undefined, 404, /Cannot find table odoo\.public\."; drop table x;--/],
      ['api/catalog/tables/nope', 'GET', undefined, 404, /no such connection/],
      [AML, 'PATCH', { description: 'x', secret: 1 }, 400, /unknown key "secret"/],
      [`${AML}/tags`, 'POST', { tag: 'PII EMAIL', state: 'confirmed' }, 400, /a tag is lowercase letters/],
      [`${AML}/tags?column=nope`, 'POST', { tag: 'pii:email', state: 'confirmed' }, 404, /Cannot find column "nope"/],
      ['api/catalog/openlineage?since=yesterday', 'GET', undefined, 400, /since must be an ISO 8601/],
    ];
    for (const [path, method, body, status, message] of cases) {
      const res = await call(path, ENGINEER.token, method, body);
      const text = await res.text();
      expect([path, res.status, (JSON.parse(text) as { message: string }).message]).toEqual([path, status, expect.stringMatching(message)]);
    }
  });
});
