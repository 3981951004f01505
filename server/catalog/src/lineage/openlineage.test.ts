import { isAppError } from '@workbench/core';
import { LineageParser } from './lineage';
import { COLUMN_LINEAGE_FACET_SCHEMA_URL, openLineageEvent, RUN_EVENT_SCHEMA_URL, SQL_JOB_FACET_SCHEMA_URL, type OpenLineageRunEvent } from './openlineage';
import type { LineageDialect, LineageOptions, StatementLineage } from './types';

const parser = new LineageParser();
afterAll(() => parser[Symbol.asyncDispose]());

const RUN_ID = '0195e3a4-7c1f-7b2a-9a34-2f1d8c0e5b61';
const PRODUCER = 'https://github.com/example/workbench/tree/0.1.0';

async function statement(sql: string, dialect: LineageDialect, options?: LineageOptions): Promise<StatementLineage> {
  const r = await parser.lineageOf(sql, dialect, options);
  if (r.status !== 'parsed') throw new Error(r.error);
  // As stored with the run and read back.
  return JSON.parse(JSON.stringify(r.statements[0])) as StatementLineage;
}

/** The OpenLineage 2-0-2 RunEvent's required fields, checked by hand against the JSON schemas. */
function assertRunEvent(ev: OpenLineageRunEvent): void {
  const isUri = (s: unknown) => typeof s === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(s);
  const facet = (f: { _producer?: unknown; _schemaURL?: unknown }) => {
    expect(isUri(f._producer)).toBe(true);
    expect(isUri(f._schemaURL)).toBe(true);
  };
  expect(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']).toContain(ev.eventType);
  expect(Number.isNaN(Date.parse(ev.eventTime))).toBe(false);
  expect(isUri(ev.producer)).toBe(true);
  expect(ev.schemaURL).toMatch(/^https:\/\/openlineage\.io\/spec\/\d+-\d+-\d+\/OpenLineage\.json#\/\$defs\/RunEvent$/);
  expect(ev.run.runId).toMatch(/^[0-9a-f-]{36}$/);
  expect(typeof ev.job.namespace).toBe('string');
  expect(typeof ev.job.name).toBe('string');
  for (const f of Object.values(ev.job.facets)) facet(f);
  expect(typeof ev.job.facets.sql.query).toBe('string');
  for (const d of [...ev.inputs, ...ev.outputs]) {
    expect(typeof d.namespace).toBe('string');
    expect(typeof d.name).toBe('string');
  }
  for (const o of ev.outputs) {
    const cl = o.facets.columnLineage;
    facet(cl);
    expect(typeof cl.fields).toBe('object');
    const inputFields = [...Object.values(cl.fields).flatMap((f) => f.inputFields), ...cl.dataset];
    for (const i of inputFields) {
      expect(typeof i.namespace).toBe('string');
      expect(typeof i.name).toBe('string');
      expect(typeof i.field).toBe('string');
      for (const t of i.transformations) expect(['DIRECT', 'INDIRECT']).toContain(t.type);
    }
  }
}

const base = { job: { namespace: 'workbench', name: 'notebooks/close.ipynb' }, runId: RUN_ID, eventTime: '2026-05-02T09:30:00.000Z', producer: PRODUCER };

test('a DuckDB CTAS: inputs, output with columnLineage, sql job facet', async () => {
  const st = await statement(
    `CREATE TABLE gold.partner_balance AS SELECT p.name AS partner, SUM(l.debit - l.credit) AS balance
     FROM bronze.account_move_line l JOIN bronze.res_partner p ON p.id = l.partner_id
     WHERE l.parent_state = 'posted' GROUP BY p.name`,
    'duckdb',
  );
  const ns = 'duckdb://warehouse';
  const ev = openLineageEvent({ statement: st, namespace: ns, ...base });
  assertRunEvent(ev);
  expect(ev).toMatchObject({
    eventType: 'COMPLETE',
    eventTime: '2026-05-02T09:30:00.000Z',
    producer: PRODUCER,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId: RUN_ID },
    job: { namespace: 'workbench', name: 'notebooks/close.ipynb', facets: { sql: { _producer: PRODUCER, _schemaURL: SQL_JOB_FACET_SCHEMA_URL, query: st.sql, dialect: 'duckdb' } } },
    inputs: [
      { namespace: ns, name: 'bronze.account_move_line' },
      { namespace: ns, name: 'bronze.res_partner' },
    ],
  });
  expect(ev.outputs).toHaveLength(1);
  const out = ev.outputs[0]!;
  expect(out.namespace).toBe(ns);
  expect(out.name).toBe('gold.partner_balance');
  const cl = out.facets.columnLineage;
  expect(cl._producer).toBe(PRODUCER);
  expect(cl._schemaURL).toBe(COLUMN_LINEAGE_FACET_SCHEMA_URL);
  expect(cl.fields.partner!.inputFields).toEqual([{ namespace: ns, name: 'bronze.res_partner', field: 'name', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] }]);
  expect(cl.fields.balance!.inputFields).toEqual([
    { namespace: ns, name: 'bronze.account_move_line', field: 'debit', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] },
    { namespace: ns, name: 'bronze.account_move_line', field: 'credit', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] },
  ]);
  const indirect = Object.fromEntries(cl.dataset.map((i) => [`${i.name}.${i.field}`, i.transformations.map((t) => `${t.type}/${t.subtype}`)]));
  expect(indirect).toEqual({
    'bronze.res_partner.id': ['INDIRECT/JOIN'],
    'bronze.account_move_line.partner_id': ['INDIRECT/JOIN'],
    'bronze.account_move_line.parent_state': ['INDIRECT/FILTER'],
    'bronze.res_partner.name': ['INDIRECT/GROUP_BY'],
  });
  // Plain JSON: what an HTTP client or Marquez receives.
  expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
});

test('PostgreSQL INSERT ... SELECT with a window; the dialect comes from the namespace', async () => {
  const st = await statement('INSERT INTO report.running (account, total) SELECT account_id, SUM(balance) OVER (PARTITION BY company_id ORDER BY date) FROM account_move_line', 'postgres');
  const ns = 'postgres://db.internal:5432/odoo';
  const ev = openLineageEvent({ statement: st, namespace: ns, ...base });
  assertRunEvent(ev);
  expect(ev.job.facets.sql.dialect).toBe('postgres');
  expect(ev.inputs).toEqual([{ namespace: ns, name: 'public.account_move_line' }]);
  expect(ev.outputs[0]!.name).toBe('report.running');
  const fields = ev.outputs[0]!.facets.columnLineage.fields;
  expect(fields.account!.inputFields[0]).toMatchObject({ name: 'public.account_move_line', field: 'account_id', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] });
  expect(fields.total!.inputFields[0]).toMatchObject({ field: 'balance', transformations: [{ type: 'DIRECT', subtype: 'TRANSFORMATION', description: 'window function' }] });
  expect(ev.outputs[0]!.facets.columnLineage.dataset.map((i) => [i.field, i.transformations[0]!.subtype])).toEqual([
    ['company_id', 'WINDOW'],
    ['date', 'WINDOW'],
  ]);
});

test('a SELECT has inputs and no output; ambiguous sources and * are left out', async () => {
  const sel = openLineageEvent({ statement: await statement('SELECT a FROM t1, t2', 'postgres'), namespace: 'postgres://h:5432/odoo', ...base });
  assertRunEvent(sel);
  expect(sel.inputs.map((i) => i.name)).toEqual(['public.t1', 'public.t2']);
  expect(sel.outputs).toEqual([]);

  const ctas = openLineageEvent({ statement: await statement('CREATE TABLE c AS SELECT a, t2.* FROM t1, t2', 'duckdb'), namespace: 'duckdb://warehouse', ...base });
  assertRunEvent(ctas);
  expect(ctas.outputs[0]!.facets.columnLineage.fields).toEqual({ a: { inputFields: [] } });
});

test('a run id that is not a UUID is refused', async () => {
  const st = await statement('SELECT 1', 'postgres');
  let err: unknown;
  try {
    openLineageEvent({ statement: st, namespace: 'postgres://h:5432/odoo', ...base, runId: 'run-1' });
  } catch (e) {
    err = e;
  }
  expect(isAppError(err, 'bad_request')).toBe(true);
});
