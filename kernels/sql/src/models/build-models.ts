/**
 * Builds a folder of dbt-style models (model-folder.ts) in DuckDB, in
 * dependency order: each model `CREATE OR REPLACE TABLE|VIEW schema.name AS
 * <its SQL, refs resolved>`; a model whose build fails makes everything
 * downstream `skipped` (with the reason) while independent models still
 * build. Then the schema.yml tests run as dbt's do: each is a query for
 * the offending rows, which passes when there are none (`unique`: values
 * seen more than once; `not_null`: nulls; `accepted_values`: other values;
 * `relationships`: values with no parent row), with a sample of them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, describeError } from '@workbench/core';
import { buildOrder, modelFolderFile, parseModelFolder, replaceRefs, type ColumnTest, type Model, type ModelTest } from './model-folder';

/** What the builder needs of a DuckDB connection (DuckDbEngine satisfies it). */
export interface ModelEngine {
  query(sql: string, params?: readonly unknown[], opts?: { signal?: AbortSignal }): Promise<{ rows: readonly (readonly unknown[])[] }>;
}

export interface ModelResult {
  name: string;
  file: string;
  materialized: 'table' | 'view';
  status: 'built' | 'failed' | 'skipped';
  ms: number;
  rows?: number;
  error?: string;
}

export interface TestResult {
  model: string;
  column: string;
  test: string;
  status: 'pass' | 'fail' | 'error' | 'skipped';
  failures: number;
  sample: (readonly unknown[])[];
  error?: string;
}

export interface BuildReport {
  schema: string;
  models: ModelResult[];
  tests: TestResult[];
  ok: boolean;
}

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (v: string | number | boolean): string => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));

/** The query for a test's offending rows. */
export function testSql(t: ModelTest, relation: (model: string) => string): string {
  const col = quoteIdent(t.column);
  const from = relation(t.model);
  const test: ColumnTest = t.test;
  switch (test.kind) {
    case 'unique':
      return `SELECT ${col}, count(*) AS n FROM ${from} WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING count(*) > 1 ORDER BY n DESC, ${col}`;
    case 'not_null':
      return `SELECT * FROM ${from} WHERE ${col} IS NULL`;
    case 'accepted_values':
      return `SELECT ${col}, count(*) AS n FROM ${from} WHERE ${col} IS NOT NULL AND ${col} NOT IN (${test.values.map(literal).join(', ')}) GROUP BY ${col} ORDER BY ${col}`;
    case 'relationships':
      return `SELECT child.${col} FROM ${from} AS child LEFT JOIN ${relation(test.to)} AS parent ON child.${col} = parent.${quoteIdent(test.field)} WHERE child.${col} IS NOT NULL AND parent.${quoteIdent(test.field)} IS NULL`;
  }
}

const testLabel = (t: ColumnTest) => (t.kind === 'relationships' ? `relationships(${t.to}.${t.field})` : t.kind);

/** Reads `dir` from disk: every `*.sql` is a model, `schema.yml` (or `.yaml`) the tests (parseModelFolder). */
export async function readModelFolder(dir: string): Promise<{ models: Model[]; tests: ModelTest[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    throw new AppError('not_found', `Cannot read the models: no folder ${dir} (${describeError(err)})`);
  }
  const files: { name: string; text: string }[] = [];
  for (const name of names) if (modelFolderFile(name)) files.push({ name, text: await readFile(join(dir, name), 'utf8') });
  return parseModelFolder(dir, files);
}

export async function buildModels(engine: ModelEngine, input: { models: Model[]; tests: ModelTest[] }, opts: { schema?: string; signal?: AbortSignal; now?: () => number } = {}): Promise<BuildReport> {
  const schema = opts.schema ?? 'main';
  const now = opts.now ?? (() => performance.now());
  const relation = (name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const order = buildOrder(input.models);
  await engine.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`, [], { signal: opts.signal });
  const results = new Map<string, ModelResult>();
  for (const m of order) {
    const upstream = m.refs.map((r) => results.get(r)).find((r) => r && r.status !== 'built');
    const base = { name: m.name, file: m.file, materialized: m.materialized };
    if (upstream) {
      results.set(m.name, { ...base, status: 'skipped', ms: 0, error: `upstream model ${upstream.name} ${upstream.status === 'failed' ? 'failed' : 'was skipped'}` });
      continue;
    }
    const t0 = now();
    const body = replaceRefs(m.sql, relation).trim().replace(/;\s*$/, '');
    try {
      await engine.query(`CREATE OR REPLACE ${m.materialized === 'view' ? 'VIEW' : 'TABLE'} ${relation(m.name)} AS ${body}`, [], { signal: opts.signal });
      const count = await engine.query(`SELECT count(*) FROM ${relation(m.name)}`, [], { signal: opts.signal });
      results.set(m.name, { ...base, status: 'built', ms: Math.round(now() - t0), rows: Number(count.rows[0]?.[0] ?? 0) });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      results.set(m.name, { ...base, status: 'failed', ms: Math.round(now() - t0), error: describeError(err) });
    }
  }
  const tests: TestResult[] = [];
  for (const t of input.tests) {
    const base = { model: t.model, column: t.column, test: testLabel(t.test), failures: 0, sample: [] as (readonly unknown[])[] };
    const blocked = [t.model, ...(t.test.kind === 'relationships' ? [t.test.to] : [])].find((n) => results.get(n)?.status !== 'built');
    if (blocked) {
      tests.push({ ...base, status: 'skipped', error: `model ${blocked} was not built` });
      continue;
    }
    try {
      const sql = testSql(t, relation);
      const count = await engine.query(`SELECT count(*) FROM (${sql})`, [], { signal: opts.signal });
      const failures = Number(count.rows[0]?.[0] ?? 0);
      const sample = failures > 0 ? [...(await engine.query(`${sql} LIMIT 5`, [], { signal: opts.signal })).rows] : [];
      tests.push({ ...base, status: failures > 0 ? 'fail' : 'pass', failures, sample });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      tests.push({ ...base, status: 'error', error: describeError(err) });
    }
  }
  const models = order.map((m) => results.get(m.name)!);
  return { schema, models, tests, ok: models.every((m) => m.status === 'built') && tests.every((t) => t.status === 'pass') };
}
