/**
 * A five-model dbt-style folder on a real DuckDB (in memory): built in
 * dependency order whatever the files' order, refs resolved, views and
 * tables; the schema.yml tests pass on clean data and catch a seeded
 * duplicate (and a null, an unexpected value, an orphan); a failing model
 * skips what is downstream and its tests; bad folders are refused with the
 * file and the reason.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../engine-duckdb';
import { buildModels, readModelFolder } from './build-models';
import { buildOrder, parseModel, parseSchemaYml } from './model-folder';

const MODELS: Record<string, string> = {
  // Named so that alphabetical order is not build order.
  'a_revenue_by_region.sql': "{{ config(materialized='view') }}\nSELECT r.name AS region, sum(o.amount) AS revenue\nFROM {{ ref('orders_enriched') }} o JOIN {{ ref('regions') }} r ON r.id = o.region_id\nGROUP BY r.name",
  'orders_enriched.sql': "SELECT o.id, o.customer_id, c.region_id, o.amount, o.status\nFROM {{ ref('stg_orders') }} o JOIN ref('stg_customers') c ON c.id = o.customer_id",
  'stg_customers.sql': '-- model: stg_customers\nSELECT id, name, region_id FROM raw_customers;',
  'stg_orders.sql': 'SELECT id, customer_id, amount, status FROM raw_orders',
  'regions.sql': 'SELECT * FROM (VALUES (1, \'EMEA\'), (2, \'AMER\')) AS t(id, name)',
};
const SCHEMA = `
models:
  - name: stg_customers
    columns:
      - name: id
        tests: [unique, not_null]
      - name: region_id
        tests:
          - relationships: { to: "ref('regions')", field: id }
  - name: stg_orders
    columns:
      - name: id
        tests: [unique]
      - name: status
        tests:
          - accepted_values: { values: [open, paid] }
`;

describe('dbt-style models on DuckDB', () => {
  let dir: string;
  let engine: DuckDbEngine;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-models-'));
    for (const [f, sql] of Object.entries(MODELS)) await writeFile(join(dir, f), sql);
    await writeFile(join(dir, 'schema.yml'), SCHEMA);
    engine = await DuckDbEngine.open(':memory:');
    await engine.query("CREATE TABLE raw_customers AS SELECT * FROM (VALUES (1, 'Ada', 1), (2, 'Bo', 2), (3, 'Cy', 1)) t(id, name, region_id)");
    await engine.query("CREATE TABLE raw_orders AS SELECT * FROM (VALUES (10, 1, 100.0, 'paid'), (11, 2, 50.0, 'open'), (12, 3, 25.0, 'paid')) t(id, customer_id, amount, status)");
  });
  afterEach(async () => {
    await engine[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds five models in dependency order and passes their tests', async () => {
    const report = await buildModels(engine, await readModelFolder(dir), { schema: 'analytics' });
    expect(report.models.map((m) => [m.name, m.status, m.materialized, m.rows])).toEqual([
      ['regions', 'built', 'table', 2],
      ['stg_customers', 'built', 'table', 3],
      ['stg_orders', 'built', 'table', 3],
      ['orders_enriched', 'built', 'table', 3],
      ['a_revenue_by_region', 'built', 'view', 2],
    ]);
    expect(report.tests.map((t) => `${t.model}.${t.column} ${t.test}: ${t.status}`)).toEqual([
      'stg_customers.id unique: pass',
      'stg_customers.id not_null: pass',
      'stg_customers.region_id relationships(regions.id): pass',
      'stg_orders.id unique: pass',
      'stg_orders.status accepted_values: pass',
    ]);
    expect(report.ok).toBe(true);
    const revenue = await engine.query('SELECT region, revenue::DOUBLE FROM analytics.a_revenue_by_region ORDER BY region');
    expect(revenue.rows).toEqual([['AMER', 50], ['EMEA', 125]]);
  });

  it('catches a seeded duplicate, a null, an unexpected value and an orphan, with samples', async () => {
    await engine.query("INSERT INTO raw_customers VALUES (3, 'Cy again', 1), (NULL, 'Nobody', 9)");
    await engine.query("INSERT INTO raw_orders VALUES (13, 1, 5.0, 'refunded')");
    const report = await buildModels(engine, await readModelFolder(dir), { schema: 'analytics' });
    expect(report.ok).toBe(false);
    const byName = Object.fromEntries(report.tests.map((t) => [`${t.model}.${t.column} ${t.test}`, t]));
    expect(byName['stg_customers.id unique']).toMatchObject({ status: 'fail', failures: 1, sample: [[3, 2n]] });
    expect(byName['stg_customers.id not_null']).toMatchObject({ status: 'fail', failures: 1 });
    expect(byName['stg_customers.region_id relationships(regions.id)']).toMatchObject({ status: 'fail', failures: 1, sample: [[9]] });
    expect(byName['stg_orders.status accepted_values']).toMatchObject({ status: 'fail', failures: 1, sample: [['refunded', 1n]] });
    expect(byName['stg_orders.id unique']).toMatchObject({ status: 'pass', failures: 0 });
  });

  it('skips what is downstream of a failing model, and its tests, and builds the rest', async () => {
    await writeFile(join(dir, 'stg_orders.sql'), 'SELECT id, customer_id, amount, status FROM no_such_table');
    const report = await buildModels(engine, await readModelFolder(dir));
    expect(report.models.map((m) => [m.name, m.status, m.error?.replace(/\n[\s\S]*/, '') ?? ''])).toEqual([
      ['regions', 'built', ''],
      ['stg_customers', 'built', ''],
      ['stg_orders', 'failed', 'Catalog Error: Table with name no_such_table does not exist!'],
      ['orders_enriched', 'skipped', 'upstream model stg_orders failed'],
      ['a_revenue_by_region', 'skipped', 'upstream model orders_enriched was skipped'],
    ]);
    expect(report.tests.filter((t) => t.model === 'stg_orders').map((t) => [t.status, t.error])).toEqual([
      ['skipped', 'model stg_orders was not built'],
      ['skipped', 'model stg_orders was not built'],
    ]);
  });

  it('refuses unknown refs, cycles, duplicate names, self references and bad tests, naming the file', () => {
    const m = (file: string, sql: string) => parseModel(file, sql);
    expect(() => buildOrder([m('a.sql', "SELECT * FROM {{ ref('b') }}")])).toThrow("Cannot build the models: a.sql refers to ref('b'), which no model defines");
    expect(() => buildOrder([m('a.sql', "SELECT * FROM ref('b')"), m('b.sql', "SELECT * FROM ref('c')"), m('c.sql', "SELECT * FROM ref('a')")])).toThrow('Cannot build the models: they refer to each other in a cycle: a -> b -> c -> a');
    expect(() => buildOrder([m('a.sql', 'SELECT 1'), m('x.sql', '-- model: a\nSELECT 2')])).toThrow('Cannot build the models: x.sql and a.sql both define model a');
    expect(() => m('a.sql', "SELECT * FROM ref('a')")).toThrow('Cannot read model a.sql: it refers to itself');
    expect(() => m('bad-name.sql', 'SELECT 1')).toThrow(/"bad-name" is not a model name/);
    expect(() => m('a.sql', "{{ config(materialized='incremental') }} SELECT 1")).toThrow(/must be 'table' or 'view'/);
    expect(() => m('a.sql', '-- nothing here\n')).toThrow('Cannot read model a.sql: it has no SQL');
    expect(() => parseSchemaYml('schema.yml', 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique_together]')).toThrow('Cannot read schema.yml: model a, column id: unknown test "unique_together" (unique, not_null, accepted_values, relationships)');
    expect(() => parseSchemaYml('schema.yml', 'models: [')).toThrow(/^Cannot read schema.yml: /);
  });
});
