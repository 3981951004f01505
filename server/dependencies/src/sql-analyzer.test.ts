/**
 * SQL-kernel cells (kernels/sql/README.md): tables created, changed and
 * read through libpg-query, DuckDB-only syntax through DuckDB's parser, the
 * kernel's magics, parameters and checks, and statements neither parser
 * reads.
 */
import { AppError } from '@workbench/core';
import { NameCollector } from './names';
import { pgTables } from './pg-tables';
import { newSqlSession, SqlAnalyzer, type SqlAnalyzerOptions } from './sql-analyzer';

const analyzers: SqlAnalyzer[] = [];
function make(options: SqlAnalyzerOptions = {}): SqlAnalyzer {
  const a = new SqlAnalyzer(options);
  analyzers.push(a);
  return a;
}
afterEach(async () => {
  await Promise.all(analyzers.splice(0).map((a) => a[Symbol.asyncDispose]()));
});

async function cell(source: string, session = newSqlSession(), options: SqlAnalyzerOptions = {}) {
  return make(options).analyzeCell(source, session);
}

describe('pgTables (libpg-query)', () => {
  it('tells reads from writes, leaves CTE names out and keeps each statement\'s reads before its writes', async () => {
    const r = await pgTables(`
      WITH recent AS (SELECT * FROM orders WHERE day > now() - interval '7 days'),
           ranked AS (SELECT *, rank() OVER (PARTITION BY region ORDER BY amount) FROM recent)
      INSERT INTO gold.top_orders SELECT r.* FROM ranked r JOIN regions g USING (region)
      WHERE r.customer IN (SELECT id FROM customers WHERE vip);
      UPDATE stock s SET qty = qty - o.qty FROM order_lines o WHERE o.sku = s.sku;
      DELETE FROM staging.tmp USING expired e WHERE e.id = tmp.id;
      CREATE VIEW v_sales AS SELECT * FROM sales;
      SELECT * INTO backup FROM sales;
      DROP TABLE IF EXISTS scratch, other.scratch2;
      ALTER TABLE sales RENAME TO sales_2025;
      TRUNCATE audit_log;
      COPY imports FROM '/tmp/x.csv';
      COPY (SELECT * FROM exports) TO '/tmp/y.csv';
      CREATE TABLE facts (id int REFERENCES dims(id));
      WITH RECURSIVE tree AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM tree WHERE n < 5) SELECT * FROM tree
    `);
    expect(r.ok).toBe(true);
    const ops = r.ok ? r.ops.map((o) => `${o.op} ${[o.table.catalog, o.table.schema, o.table.name].filter(Boolean).join('.')}`) : [];
    expect(ops).toEqual([
      'read orders',
      'read regions',
      'read customers',
      'mutate gold.top_orders',
      'read order_lines',
      'mutate stock',
      'read expired',
      'mutate staging.tmp',
      'read sales',
      'create v_sales',
      'read sales',
      'create backup',
      'drop scratch',
      'drop other.scratch2',
      'drop sales',
      'create sales_2025',
      'mutate audit_log',
      'mutate imports',
      'read exports',
      'create facts',
    ]);
  });

  it('returns a syntax error instead of throwing', async () => {
    expect(await pgTables("SELECT * FROM 'orders.parquet'")).toEqual({ ok: false, error: expect.stringContaining('syntax error') });
  });
});

describe('SqlAnalyzer: SQL-kernel cells', () => {
  it('a cell that builds a table from others', async () => {
    expect(await cell('-- the weekly sales mart\nCREATE TABLE sales AS\nSELECT o.id, o.amount, c.region\nFROM main.orders o JOIN customers c ON c.id = o.customer_id;')).toEqual({ defines: ['table:sales'], reads: ['table:customers', 'table:orders'] });
  });

  it('a table the cell creates and then reads is its own; INSERT into a table from elsewhere reads and changes it', async () => {
    expect(await cell('CREATE TEMP TABLE t AS SELECT * FROM raw;\nINSERT INTO t SELECT * FROM raw_late;\nINSERT INTO ledger SELECT * FROM t;\nSELECT count(*) FROM t')).toEqual({
      defines: ['table:ledger', 'table:t'],
      reads: ['table:ledger', 'table:raw', 'table:raw_late'],
    });
  });

  it('DuckDB syntax PostgreSQL cannot parse falls back to DuckDB\'s parser, statement by statement', async () => {
    const r = await cell(
      [
        "CREATE OR REPLACE TABLE bronze.moves AS FROM read_parquet('/data/moves.parquet');",
        "CREATE TABLE rates AS SELECT * FROM 'fx/rates.csv';",
        'SELECT * EXCLUDE (secret) FROM bronze.moves m JOIN rates USING (currency);',
        'CREATE TABLE shapes (id INTEGER, tags STRUCT(a INTEGER, b VARCHAR));',
        'INSTALL httpfs; LOAD httpfs;',
        'PIVOT bronze.moves ON currency USING sum(amount);',
      ].join('\n'),
    );
    expect(r.defines).toEqual(['table:bronze.moves', 'table:rates', 'table:shapes']);
    expect(r.reads).toEqual([]);
    expect(r.errors).toBe('Cannot analyse statement 7 (line 6): the tables of this DuckDB statement are not followed');
    expect(await cell('FROM ext.fx_rates SELECT * EXCLUDE (source) WHERE day = current_date;\nSUMMARIZE moves')).toEqual({ defines: [], reads: ['table:ext.fx_rates', 'table:moves'] });
  });

  it('a statement neither parser reads is noted; the cell\'s other statements still count', async () => {
    const r = await cell('SELECT * FROM good_table;\nSELEC oops FROM nowhere;\nCREATE TABLE after AS SELECT 1');
    expect(r.defines).toEqual(['table:after']);
    expect(r.reads).toEqual(['table:good_table']);
    expect(r.errors).toMatch(/^Cannot analyse statement 2 \(line 2\): .*syntax error/i);
  });

  it('%%sql -> name defines the kept table; $name and :name read notebook parameters', async () => {
    expect(await cell('%%sql -> monthly\nSELECT * FROM moves WHERE month = $month AND company = :company AND amount::numeric > 0')).toEqual({
      defines: ['table:monthly'],
      reads: ['param:company', 'param:month', 'table:moves'],
    });
  });

  it('%params defines parameters; a malformed %params is an error of the cell', async () => {
    expect(await cell('%params {"month": "2026-10", "bronze": "/data/bronze"}')).toEqual({ defines: ['param:bronze', 'param:month'], reads: [] });
    expect(await cell('%params {month: 1}')).toMatchObject({ defines: [], errors: expect.stringMatching(/^Cannot read %params: /) });
  });

  it('connections: -- connection: for one cell, %connect for the following ones; %%sql -> name lands in the warehouse', async () => {
    const session = newSqlSession();
    const a = make();
    expect(await a.analyzeCell('-- connection: odoo\nSELECT * FROM res_partner p JOIN public.res_country c ON c.id = p.country_id', session)).toEqual({
      defines: [],
      reads: ['table:odoo:res_country', 'table:odoo:res_partner'],
    });
    expect(session.connection).toBe('warehouse');
    expect(await a.analyzeCell('%connect odoo', session)).toEqual({ defines: [], reads: [] });
    expect(await a.analyzeCell('%%sql -> partners\nSELECT * FROM res_partner', session)).toEqual({ defines: ['table:partners'], reads: ['table:odoo:res_partner'] });
    // PostgreSQL connections get no DuckDB fallback.
    expect((await a.analyzeCell("SELECT * FROM 'x.parquet'", session)).errors).toMatch(/^Cannot analyse statement 1 \(line 1\): syntax error/);
    expect(await a.analyzeCell('%sql @warehouse SELECT * FROM partners', session)).toEqual({ defines: [], reads: ['table:partners'] });
  });

  it('%%expect defines a check and reads what its SELECT reads; %expect_summary reads the checks above', async () => {
    const session = newSqlSession();
    const a = make();
    expect(
      await a.analyzeCell('%%expect unbalanced_moves severity=fail amount=difference materiality=0.01\nSELECT move_id, sum(debit) - sum(credit) AS difference\nFROM read_parquet($bronze || \'/account_move_line.parquet\')\nGROUP BY move_id HAVING sum(debit) <> sum(credit)', session),
    ).toEqual({ defines: ['check:unbalanced_moves'], reads: ['param:bronze'] });
    expect(await a.analyzeCell('%%expect "Trial balance is zero"\nSELECT * FROM trial_balance WHERE total <> 0', session)).toEqual({ defines: ['check:Trial balance is zero'], reads: ['table:trial_balance'] });
    expect(await a.analyzeCell('%expect_summary', session)).toEqual({ defines: [], reads: ['check:Trial balance is zero', 'check:unbalanced_moves'] });
  });

  it('%build_models defines every model of the folder and reads what the models read outside it', async () => {
    const asked: string[] = [];
    const readModels = async (folder: string) => {
      asked.push(folder);
      return [
        { name: 'stg_orders', sql: "{{ config(materialized='view') }}\nSELECT * FROM raw_orders WHERE NOT deleted" },
        { name: 'revenue', sql: "SELECT region, sum(amount) FROM {{ ref('stg_orders') }} JOIN regions USING (region) GROUP BY ALL" },
      ];
    };
    expect(await cell('%build_models models/ schema=marts', newSqlSession('proj/analysis.ipynb'), { readModels })).toEqual({
      defines: ['table:marts.revenue', 'table:marts.stg_orders'],
      reads: ['table:raw_orders', 'table:regions'],
    });
    expect(asked).toEqual(['proj/models']);
    expect(await cell('%build_models models/', newSqlSession('proj/analysis.ipynb'))).toEqual({ defines: [], reads: [], errors: 'Cannot analyse %build_models models/: the model folder is not read here' });
  });

  it('%build_models reads the folder relative to the notebook\'s directory, never outside the workspace', async () => {
    const asked: string[] = [];
    const readModels = async (folder: string) => {
      asked.push(folder);
      return [{ name: 'm', sql: 'SELECT 1' }];
    };
    const at = async (notebook: string | undefined, line: string) => (await cell(line, newSqlSession(notebook), { readModels })).errors;
    expect(await at('proj/sub/analysis.ipynb', '%build_models ../shared/./models')).toBeUndefined();
    expect(await at('analysis.ipynb', '%build_models models')).toBeUndefined();
    expect(await at('/proj/analysis.ipynb', '%build_models .')).toBeUndefined();
    expect(await at('proj/analysis.ipynb', '%build_models ..')).toBeUndefined();
    expect(asked).toEqual(['proj/shared/models', 'models', 'proj', '']);
    expect(await at('proj/analysis.ipynb', '%build_models ../../models')).toBe('Cannot analyse %build_models ../../models: the folder is outside the workspace');
    expect(await at('analysis.ipynb', '%build_models models/../../etc')).toBe('Cannot analyse %build_models models/../../etc: the folder is outside the workspace');
    expect(await at('proj/analysis.ipynb', '%build_models /srv/models')).toBe('Cannot analyse %build_models /srv/models: only a folder relative to the notebook is read');
    expect(await at('../proj/analysis.ipynb', '%build_models models')).toBe('Cannot analyse %build_models models: the folder is outside the workspace');
    expect(await at(undefined, '%build_models models')).toBe("Cannot analyse %build_models models: the notebook's path is not known, and the folder is relative to it");
    expect(asked).toHaveLength(4);
  });

  it('%build_models notes what the reader could not read, and defines nothing then', async () => {
    const readModels = async (folder: string): Promise<never> => {
      throw new AppError('not_found', `Cannot read the models: no folder ${folder}`);
    };
    expect(await cell('%build_models nope schema=x', newSqlSession('proj/analysis.ipynb'), { readModels })).toEqual({ defines: [], reads: [], errors: 'Cannot analyse %build_models nope: Cannot read the models: no folder proj/nope' });
  });

  it('a malformed magic is the cell\'s error, with the kernel\'s message', async () => {
    expect(await cell('%%sql => oops\nSELECT 1')).toEqual({ defines: [], reads: [], errors: 'Cannot parse %%sql => oops: expected "%%sql" or "%%sql -> name"' });
  });

  it('SQL embedded in another language\'s cell, with DuckDB\'s replacement scans', async () => {
    const a = make();
    const into = new NameCollector();
    const variables = new Set<string>();
    await a.analyzeEmbedded('CREATE TABLE enriched AS SELECT * FROM df JOIN main.customers USING (id); SELECT * FROM enriched', 'warehouse', into, 'the SQL at line 3', { alsoVariables: variables });
    expect(into.result()).toEqual({ defines: ['table:enriched'], reads: ['table:customers', 'table:df'] });
    expect([...variables]).toEqual(['df', 'enriched']);
  });
});
