/**
 * The catalog against real systems: an Odoo-shaped PostgreSQL database of
 * the test's own (on the machine's server), a DuckDB warehouse file, and
 * the metadata store on SQLite. Discovery (full, incremental, failures
 * that leave the catalog as it was), search, previews (sampling, masking,
 * huge cells, hostile names), classification, notes, and usage and
 * column-level lineage from SQL that ran.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStore, type MetadataStore } from '@workbench/store';
import { connectPgAdmin, PG_TEST_SERVER } from '@workbench/store/testing';
import { KeyRing, SecretStore, StoreSecretStorage } from '@workbench/secrets';
import { ConnectionManager } from '@workbench/connections';
import { Catalog } from './catalog';
import { MASK } from './preview';
import { createOdooSchema, odooColumns } from './testing/odoo-schema';

jest.setTimeout(60_000);

const DB = `wb_catalog_${process.pid}`;
let dir: string;
let store: MetadataStore;
let secrets: SecretStore;
let connections: ConnectionManager;
let catalog: Catalog;
let odoo: Client;
const warehouse = () => join(dir, 'warehouse.duckdb');
const odooTable = (name: string) => ({ source: 'odoo', schema: 'public', name });

async function duck(sql: string): Promise<void> {
  const db = await DuckDBInstance.create(warehouse());
  const c = await db.connect();
  try {
    await c.run(sql);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  const admin = await connectPgAdmin();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  odoo = new Client({ ...PG_TEST_SERVER, database: DB });
  await odoo.connect();
  await createOdooSchema(odoo);
  dir = mkdtempSync(join(tmpdir(), 'wb-catalog-'));
  store = await openStore({ sqlitePath: join(dir, 'workbench.db') });
  secrets = await SecretStore.open({ storage: new StoreSecretStorage(store), keyRing: KeyRing.generate() });
  connections = new ConnectionManager({ store, secrets });
  await connections.create({ name: 'odoo', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas: ['public'] } }, 'test');
  await duck(`create schema bronze; create schema gold;
    create table bronze.account_move_line as select * from (values (1, 10, 'posted', 100.0, 0.0), (2, 11, 'posted', 0.0, 40.0), (3, 10, 'draft', 5.0, 0.0)) t(id, partner_id, parent_state, debit, credit);
    create table bronze.res_partner as select * from (values (10, 'Marie Dupont'), (11, 'Jean Martin')) t(id, name);
    comment on table bronze.account_move_line is 'Journal items copied from Odoo';`);
  const ws = join(dir, 'workspace');
  mkdirSync(join(ws, 'close'), { recursive: true });
  writeFileSync(join(ws, 'close', 'aging.sql'), '-- connection: odoo\nSELECT p.name, sum(l.balance) FROM account_move_line l JOIN res_partner p ON p.id = l.partner_id GROUP BY 1;\n');
  writeFileSync(join(ws, 'close', 'gold.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'sql', language: 'sql', display_name: 'SQL' } }, cells: [
    { cell_type: 'markdown', metadata: {}, source: 'Gold tables' },
    { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: ['CREATE TABLE gold.ar AS SELECT * FROM bronze.account_move_line'] },
    { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'SELEC broken' },
  ] }));
  writeFileSync(join(ws, 'notes.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'python3', language: 'python' } }, cells: [{ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'q = "select * from account_journal"' }] }));
  catalog = new Catalog({ store, connections, warehousePath: warehouse(), workspaceRoot: ws });
  await catalog.start();
});

afterAll(async () => {
  await catalog?.[Symbol.asyncDispose]();
  await connections?.[Symbol.asyncDispose]();
  await store?.[Symbol.asyncDispose]();
  await odoo?.end();
  const admin = await connectPgAdmin();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('discovery', () => {
  it('finds the Odoo tables with their columns, types, comments, row counts and sizes', async () => {
    const run = await catalog.refresh('odoo', { actor: 'alice' });
    expect(run).toMatchObject({ status: 'ok', counts: { tables: 5, added: 5, changed: 0, removed: 0 } });
    const aml = await catalog.table(odooTable('account_move_line'));
    expect(aml.comment).toBe('Journal Item');
    expect(aml.columns.map((c) => c.name)).toEqual(odooColumns('account_move_line'));
    expect(aml.columns.find((c) => c.name === 'debit')).toMatchObject({ type: 'numeric', comment: 'Debit' });
    expect(aml.columns.find((c) => c.name === 'analytic_distribution')).toMatchObject({ type: 'jsonb' });
    expect(aml.row_count).toBe(200);
    expect(aml.size_bytes).toBeGreaterThan(0);
  });

  it('refreshes incrementally: unchanged tables stay, a new column changes its table, a dropped table leaves', async () => {
    expect((await catalog.refresh('odoo', { actor: 'alice' })).counts).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 5 });
    await odoo.query('alter table account_journal add column sequence_override_regex text');
    await odoo.query('create table stock_scrap (id serial primary key, name varchar)');
    const run = await catalog.refresh('odoo', { actor: 'alice' });
    expect(run.counts).toMatchObject({ added: 1, changed: 1, removed: 0, unchanged: 4 });
    expect((await catalog.table(odooTable('account_journal'))).columns.at(-1)!.name).toBe('sequence_override_regex');
    await odoo.query('drop table stock_scrap');
    expect((await catalog.refresh('odoo', { actor: 'alice' })).counts).toMatchObject({ removed: 1 });
    await expect(catalog.table(odooTable('stock_scrap'))).rejects.toThrow(/Cannot find table odoo.public.stock_scrap/);
  });

  it('discovers the warehouse (DuckDB) schemas and tables', async () => {
    const run = await catalog.refresh('warehouse', { actor: 'alice' });
    expect(run).toMatchObject({ status: 'ok', counts: { tables: 2 } });
    const t = await catalog.table({ source: 'warehouse', schema: 'bronze', name: 'account_move_line' });
    expect(t.comment).toBe('Journal items copied from Odoo');
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'partner_id', 'parent_state', 'debit', 'credit']);
  });

  it('keeps what it had when the source cannot be reached, and says why', async () => {
    await connections.create({ name: 'offline', kind: 'postgres', settings: { host: '127.0.0.1', port: 1, database: 'x', user: 'x', pool: { connect_timeout_s: 2 } } }, 'test');
    const run = await catalog.refresh('offline', { actor: 'alice' });
    expect(run.status).toBe('error');
    expect(run.message).toMatch(/^Cannot refresh offline: .*ECONNREFUSED|connect/);
    expect(await catalog.tables('offline')).toEqual([]);
    expect((await catalog.lastRefresh('offline'))?.status).toBe('error');
  });

  it('reads one consistent snapshot when a schema vanishes in the middle of discovery, and drops it at the next refresh', async () => {
    const settings = (schemas: string[]) => ({ settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas } });
    await odoo.query('create schema staging; create table staging.import_batch (id int, note text)');
    await connections.update('odoo', settings(['public', 'staging']), 'test');
    expect((await catalog.refresh('odoo', { actor: 'alice' })).status).toBe('ok');
    expect((await catalog.tables('odoo', 'staging')).map((t) => t.name)).toEqual(['import_batch']);
    // Another session drops the schema and holds its locks; discovery reaches the table's size and waits.
    const dropper = new Client({ ...PG_TEST_SERVER, database: DB });
    await dropper.connect();
    try {
      await dropper.query('begin; drop schema staging cascade');
      const refresh = catalog.refresh('odoo', { actor: 'alice' });
      // Wait for the event this causes: discovery's backend waiting on the dropper's lock.
      for (;;) {
        const waiting = await odoo.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`, [DB]);
        if (waiting.rows[0].n > 0) break;
      }
      await dropper.query('commit');
      // Discovery's snapshot was taken before the drop: the schema is wholly there (never a table without its columns).
      expect((await refresh).status).toBe('ok');
      expect((await catalog.table({ source: 'odoo', schema: 'staging', name: 'import_batch' })).columns.map((c) => c.name)).toEqual(['id', 'note']);
    } finally {
      await dropper.end();
    }
    const next = await catalog.refresh('odoo', { actor: 'alice' });
    expect(next).toMatchObject({ status: 'ok', missing_schemas: ['staging'], counts: { removed: 1 } });
    await connections.update('odoo', settings(['public']), 'test');
  });

  it('names configured schemas that are not there', async () => {
    await connections.update('odoo', { settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas: ['public', 'archive'] } }, 'test');
    const run = await catalog.refresh('odoo', { actor: 'alice' });
    expect(run).toMatchObject({ status: 'ok', missing_schemas: ['archive'] });
    expect(run.message).toMatch(/schema "archive" not found/);
    await connections.update('odoo', { settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas: ['public'] } }, 'test');
  });
});

describe('search', () => {
  it('finds the journal tables by "journal", the exact name first', async () => {
    const hits = catalog.search('journal', { kinds: ['table'] });
    expect(hits[0]!.name).toBe('account_journal');
    const names = hits.map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(['account_move_line', 'account_move']));
  });

  it('finds a table by its exact name, and columns by theirs', async () => {
    expect(catalog.search('account_move_line')[0]).toMatchObject({ kind: 'table', qualified: 'odoo.public.account_move_line', match: 'exact' });
    expect(catalog.search('debit', { kinds: ['column'] }).map((h) => h.qualified)).toEqual(expect.arrayContaining(['odoo.public.account_move_line.debit', 'warehouse.bronze.account_move_line.debit']));
  });

  it('finds the SQL files and SQL notebooks of the workspace that use a table', async () => {
    const scan = await catalog.scanWorkspace();
    expect(scan).toMatchObject({ files: 3, unparsed: 1 });
    expect([...scan!.references.keys()].sort()).toEqual(['close/aging.sql', 'close/gold.ipynb']);
    const hits = catalog.search('account_move_line', { kinds: ['notebook'] });
    expect(hits.map((h) => h.name).sort()).toEqual(['close/aging.sql', 'close/gold.ipynb']);
    // Only through the tables they name: the Python notebook's string is not SQL it reads.
    expect(catalog.search('account_journal', { kinds: ['notebook'] })).toEqual([]);
  });

  it('tolerates a typo', async () => {
    expect(catalog.search('acount_move_line')[0]?.qualified).toBe('odoo.public.account_move_line');
  });
});

describe('notes, tags and classification', () => {
  it('keeps descriptions and owners, and finds tables by them', async () => {
    const change = await catalog.annotations.setNote(odooTable('account_move'), undefined, { description: 'Invoices, bills and entries; the close reads posted ones', owner: 'finance-data' }, 'alice');
    expect(change.before).toEqual({ description: null, owner: null });
    expect(change.after.owner).toBe('finance-data');
    expect(catalog.search('invoices bills').map((h) => h.name)).toContain('account_move');
    // A refresh never loses what people wrote.
    await catalog.refresh('odoo', { actor: 'alice' });
    expect((await catalog.table(odooTable('account_move'))).owner).toBe('finance-data');
  });

  it('suggests personal-data tags from sampled values; a person confirms them; previews then mask those columns', async () => {
    const found = await catalog.annotations.classify(odooTable('res_partner'), 'alice');
    const email = found.find((f) => f.column === 'email' && f.suggestion.tag === 'pii:email');
    expect(email?.suggestion.confidence).toBeGreaterThan(0.8);
    expect(found.some((f) => f.column === 'vat' && f.suggestion.tag === 'pii:tax_id')).toBe(true);
    let info = await catalog.table(odooTable('res_partner'));
    expect(info.columns.find((c) => c.name === 'email')!.tags[0]).toMatchObject({ tag: 'pii:email', state: 'suggested' });
    // Suggested only: nothing is masked yet.
    const before = await catalog.preview(odooTable('res_partner'), { unmask: false, limit: 3 });
    expect(String(before.rows[0]![before.columns.findIndex((c) => c.name === 'email')])).toMatch(/@example\.com$/);
    await catalog.annotations.setTag(odooTable('res_partner'), 'email', 'pii:email', 'confirmed', 'alice');
    const masked = await catalog.preview(odooTable('res_partner'), { unmask: false, limit: 3 });
    const i = masked.columns.findIndex((c) => c.name === 'email');
    expect(masked.columns[i]!.masked).toBe(true);
    expect(masked.rows.every((r) => r[i] === MASK)).toBe(true);
    const open = await catalog.preview(odooTable('res_partner'), { unmask: true, limit: 3 });
    expect(String(open.rows[0]![i])).toMatch(/@example\.com$/);
    // A rejected suggestion stays rejected when the detectors run again.
    await catalog.annotations.setTag(odooTable('res_partner'), 'phone', 'pii:phone', 'rejected', 'alice');
    const again = await catalog.annotations.classify(odooTable('res_partner'), 'alice');
    expect(again.find((f) => f.column === 'phone' && f.suggestion.tag === 'pii:phone')?.stored).toBe('kept');
    info = await catalog.table(odooTable('res_partner'));
    expect(info.columns.find((c) => c.name === 'phone')!.tags[0]!.state).toBe('rejected');
  });
});

describe('preview', () => {
  it('shows the first rows or a sample, capped', async () => {
    const first = await catalog.preview(odooTable('account_move_line'), { unmask: false, limit: 10 });
    expect(first.rows).toHaveLength(10);
    expect(first.columns.map((c) => c.name)).toEqual(odooColumns('account_move_line'));
    // Dates without a time zone stay as written (never shifted by the server's offset).
    expect(first.rows[0]![first.columns.findIndex((c) => c.name === 'date')]).toMatch(/^2026-11-\d\d$/);
    const sample = await catalog.preview(odooTable('account_move_line'), { mode: 'sample', unmask: false, limit: 10 });
    expect(sample.mode).toBe('sample');
    expect(sample.rows.length).toBeLessThanOrEqual(10);
    await expect(catalog.preview(odooTable('account_move_line'), { unmask: false, limit: 5000 })).rejects.toThrow(/limit must be a whole number from 1 to 1000/);
  });

  it('cuts a 10 MB cell inside the query, and handles a table name with quotes and Unicode', async () => {
    await odoo.query(`create table "Écritures ""2026""" (id int, "libellé" text)`);
    await odoo.query(`insert into "Écritures ""2026""" values (1, repeat('x', 10 * 1024 * 1024)), (2, 'court')`);
    await catalog.refresh('odoo', { actor: 'alice' });
    const t = { source: 'odoo', schema: 'public', name: 'Écritures "2026"' };
    expect((await catalog.table(t)).columns.map((c) => c.name)).toEqual(['id', 'libellé']);
    const p = await catalog.preview(t, { unmask: false });
    expect(p.truncated_cells).toBe(1);
    expect((p.rows[0]![1] as string).length).toBe(2001);
    expect(p.rows[1]![1]).toBe('court');
    expect(catalog.search('ecritures')[0]?.name).toBe('Écritures "2026"');
  });

  it('previews the warehouse', async () => {
    const p = await catalog.preview({ source: 'warehouse', schema: 'bronze', name: 'res_partner' }, { unmask: false });
    expect(p.rows).toEqual([[10, 'Marie Dupont'], [11, 'Jean Martin']]);
  });
});

describe('usage and lineage from SQL that ran', () => {
  it('records column-level lineage of a CTAS joining two sources, and who used what', async () => {
    const sql = `CREATE TABLE gold.partner_balance AS
      SELECT p.name AS partner, SUM(l.debit - l.credit) AS balance
        FROM bronze.account_move_line l JOIN bronze.res_partner p ON p.id = l.partner_id
       WHERE l.parent_state = 'posted' GROUP BY p.name`;
    await duck(sql);
    const run = await catalog.sql.record({ source: 'warehouse', dialect: 'duckdb', sql, actor: 'alice', auditSeq: 41, notebook: 'close/2026-11.ipynb' });
    expect(run.status).toBe('ok');
    const g = await catalog.sql.lineage({ source: 'warehouse', schema: 'gold', name: 'partner_balance' }, 1);
    const edges = g.edges.filter((e) => e.to.column !== '').map((e) => `${JSON.parse(e.from.key)[2]}.${e.from.column} -> ${e.to.column} (${e.transform})`).sort();
    expect(edges).toEqual(['account_move_line.credit -> balance (aggregate)', 'account_move_line.debit -> balance (aggregate)', 'res_partner.name -> partner (identity)']);
    // Downstream of a source table.
    const down = await catalog.sql.lineage({ source: 'warehouse', schema: 'bronze', name: 'res_partner' }, 1);
    expect(down.nodes.map((n) => n.qualified)).toContain('warehouse.gold.partner_balance');
    const usage = await catalog.sql.usage({ source: 'warehouse', schema: 'bronze', name: 'account_move_line' });
    expect(usage).toMatchObject({ queries: 1, users: [{ actor: 'alice', queries: 1 }] });
    expect(usage.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['debit', 'credit', 'partner_id', 'parent_state']));
    // The notebook is found by the tables it used.
    expect(catalog.search('close/2026-11').map((h) => h.kind)).toContain('notebook');
    const events = await catalog.sql.openLineage({ namespaceOf: (s) => `workbench://${s}`, producer: 'https://workbench.test' });
    expect(events).toHaveLength(1);
  });

  it('says "unparsed" for SQL it cannot parse, and records no edges', async () => {
    const run = await catalog.sql.record({ source: 'warehouse', dialect: 'duckdb', sql: 'CREATE TABLE gold.x AS SELEC 1', actor: 'alice', auditSeq: 42 });
    expect(run.status).toBe('unparsed');
    expect(run.message).toMatch(/syntax error/i);
    expect((await catalog.sql.lineage({ source: 'warehouse', schema: 'gold', name: 'partner_balance' }, 1)).unparsed_runs).toBe(1);
  });
});
