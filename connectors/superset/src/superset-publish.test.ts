/**
 * Publishing gold tables from a real PostgreSQL serving schema: the
 * simulator's "serving" database points at a fresh database on the local
 * server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres, trust
 * auth), so creating a dataset reads the table's columns from its
 * information_schema as Superset would, a missing table fails as Superset
 * fails it, and a refresh picks up the columns a later close added. The
 * database is dropped afterwards, once no connection to it is left open.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SupersetClient } from './superset-client';
import { isSupersetError, type SupersetError } from './superset-error';
import { startSupersetApiSimulator, type SupersetApiSimulator } from './testing';

const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };
const DB = `wb_superset_test_${randomBytes(6).toString('hex')}`;

let sim: SupersetApiSimulator;
let superset: SupersetClient;
let serving: Client;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ ...PG, database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function rejection(p: Promise<unknown>): Promise<SupersetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSupersetError(err)) throw new Error(`expected a SupersetError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${DB}`));
  serving = new Client({ ...PG, database: DB });
  await serving.connect();
  await serving.query(`
    CREATE SCHEMA serving;
    CREATE TABLE serving.gold_trial_balance (account_code varchar(64) NOT NULL, period date NOT NULL, debit numeric(16,2), credit numeric(16,2), closed_at timestamp);
    CREATE TABLE serving.gold_ap_aging (vendor text, bucket text, amount double precision, overdue boolean);
  `);
  sim = await startSupersetApiSimulator({ users: [{ username: 'publisher', password: 'Publisher-Pass-1' }], databases: [{ name: 'serving', postgres: { ...PG, database: DB } }] });
  superset = new SupersetClient({ baseUrl: sim.url, username: 'publisher', password: 'Publisher-Pass-1' });
});

afterAll(async () => {
  await superset?.[Symbol.asyncDispose]();
  await sim?.[Symbol.asyncDispose]();
  await serving?.end();
  await admin(async (c) => {
    // Leak check: the simulator closed every connection it opened to read metadata.
    const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [DB]);
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

const targets = [
  { database: 'serving', schema: 'serving', table: 'gold_trial_balance', description: 'Trial balance by account and period' },
  { database: 'serving', schema: 'serving', table: 'gold_ap_aging' },
];

describe('publishing to Superset over a PostgreSQL serving schema', () => {
  it('creates datasets with the columns and types of the tables', async () => {
    const results = await superset.publishDatasets(targets);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    const id = (results[0] as { datasetId: number }).datasetId;
    const ds = await superset.getDataset(id);
    expect(ds).toMatchObject({ table_name: 'gold_trial_balance', schema: 'serving', catalog: DB, description: 'Trial balance by account and period', main_dttm_col: 'period' });
    expect(ds.columns).toEqual([
      { column_name: 'account_code', type: 'VARCHAR(64)', is_dttm: false },
      { column_name: 'period', type: 'DATE', is_dttm: true },
      { column_name: 'debit', type: 'NUMERIC(16, 2)', is_dttm: false },
      { column_name: 'credit', type: 'NUMERIC(16, 2)', is_dttm: false },
      { column_name: 'closed_at', type: 'TIMESTAMP WITHOUT TIME ZONE', is_dttm: true },
    ]);
    expect(ds.metrics).toEqual([{ metric_name: 'count', expression: 'COUNT(*)' }]);
    const aging = await superset.getDataset((results[1] as { datasetId: number }).datasetId);
    expect(aging.columns.map((c) => `${c.column_name}:${c.type}`)).toEqual(['vendor:TEXT', 'bucket:TEXT', 'amount:DOUBLE PRECISION', 'overdue:BOOLEAN']);
  });

  it('refreshes on the next close instead of duplicating, picking up added and dropped columns', async () => {
    await serving.query('ALTER TABLE serving.gold_trial_balance ADD COLUMN entity varchar(16), DROP COLUMN closed_at');
    const before = sim.datasets().length;
    const results = await superset.publishDatasets(targets);
    expect(results.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed']);
    expect(sim.datasets()).toHaveLength(before);
    const ds = await superset.getDataset((results[0] as { datasetId: number }).datasetId);
    expect(ds.columns.map((c) => c.column_name)).toEqual(['account_code', 'period', 'debit', 'credit', 'entity']);
    expect(ds.columns.find((c) => c.column_name === 'entity')?.type).toBe('VARCHAR(16)');
  });

  it("refuses a second dataset over the same table with Superset's 422", async () => {
    const databaseId = sim.databaseId('serving');
    const err = await rejection(superset.createDataset({ database: databaseId, schema: 'serving', table_name: 'gold_trial_balance' }));
    expect([err.status, err.supersetMessage]).toEqual([422, { table: [`Dataset ${DB}.serving.gold_trial_balance already exists`] }]);
  });

  it("fails a table that does not exist with Superset's 422 and its message, and publishes the rest", async () => {
    const results = await superset.publishDatasets([{ database: 'serving', schema: 'serving', table: 'gold_cash_flow' }, targets[1]!]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'refreshed']);
    const err = (results[0] as { error: unknown }).error;
    if (!isSupersetError(err)) throw new Error('expected a SupersetError');
    expect([err.status, err.code]).toEqual([422, 'bad_request']);
    expect(err.supersetMessage).toEqual({ table: [`Table [${DB}.serving.gold_cash_flow] could not be found, please double check your database connection, schema, and table name`] });
    expect(err.message).toContain('Cannot create the Superset dataset serving.gold_cash_flow: Superset answered 422: table: Table [');
  });

  it('fails the refresh of a dataset whose table was dropped, as Superset does', async () => {
    await serving.query('CREATE TABLE serving.gold_scratch (x int)');
    const [created] = await superset.publishDatasets([{ database: 'serving', schema: 'serving', table: 'gold_scratch' }]);
    await serving.query('DROP TABLE serving.gold_scratch');
    const err = await rejection(superset.refreshDataset((created as { datasetId: number }).datasetId));
    expect([err.status, err.supersetMessage]).toEqual([422, 'Dataset could not be updated.']);
  });
});
