#!/usr/bin/env node
'use strict';
// The data catalog at the size the issue names (issue 13):
//
//   node bench/catalog.js [--tables=10000] [--columns=20] [--rows=1000000] [--queries=2000] [--no-write]
//
// 1. Discovery: a PostgreSQL database this run creates (and drops) with
//    N tables of M columns (finance/ERP-like names, comments on a third),
//    discovered into the embedded SQLite metadata store: the first refresh
//    (everything new), a second one (nothing changed: incremental), and one
//    after 1% of the tables changed.
// 2. Search over that catalog (the same index the server answers from,
//    built from the store): p50/p95/p99 of mixed queries (exact names,
//    prefixes, words, two-word, typos, misses).
// 3. Preview of a 1,000,000-row table: PostgreSQL (first rows, and a
//    TABLESAMPLE sample) and the DuckDB warehouse (first rows, reservoir
//    sample), 100 rows each, as GET .../preview does it.
// Run with --expose-gc for the heap figure after a collection.
// Writes a section between <!-- bench:catalog:start --> and <!-- bench:catalog:end --> in BENCHMARKS.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const REPO = path.resolve(__dirname, '..');
const { now, percentile } = require('./lib/util');
const { machineInfo, writeMarkedSection } = require('./lib/report');
const { Client } = require('pg');
const { DuckDBInstance } = require('@duckdb/node-api');

const argv = process.argv.slice(2);
const value = (name, d) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a ? Number(a.slice(name.length + 3)) : d; };
const TABLES = value('tables', 10000);
const COLUMNS = value('columns', 20);
const ROWS = value('rows', 1000000);
const QUERIES = value('queries', 2000);
const write = !argv.includes('--no-write');
const START = '<!-- bench:catalog:start -->';
const END = '<!-- bench:catalog:end -->';

const { openStore } = require(path.join(REPO, 'server/store/lib'));
const { connectPgAdmin, PG_TEST_SERVER } = require(path.join(REPO, 'server/store/lib/testing'));
const { KeyRing, SecretStore, StoreSecretStorage } = require(path.join(REPO, 'server/secrets/lib'));
const { ConnectionManager } = require(path.join(REPO, 'server/connections/lib'));
const { Catalog } = require(path.join(REPO, 'server/catalog/lib'));

// Seeded names: a deterministic catalog on every run.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const AREAS = ['account', 'sale', 'purchase', 'stock', 'hr', 'payroll', 'treasury', 'budget', 'asset', 'tax', 'expense', 'project', 'crm', 'mrp', 'pos'];
const THINGS = ['move', 'line', 'invoice', 'payment', 'journal', 'entry', 'order', 'partner', 'bank', 'statement', 'reconcile', 'fiscal', 'period', 'rate', 'ledger', 'allocation', 'report', 'analytic', 'budget', 'tag'];
const COLS = ['amount', 'balance', 'debit', 'credit', 'date', 'partner_id', 'currency_id', 'company_id', 'state', 'name', 'ref', 'quantity', 'price_unit', 'tax_id', 'account_id', 'journal_id', 'due_date', 'memo', 'iban', 'email', 'vat', 'code', 'rate', 'total', 'residual'];
const WORDS = ['Journal', 'Invoice', 'Payment', 'Ledger', 'Entries', 'Balance', 'Vendor', 'Customer', 'Monthly', 'Close', 'Reconciliation', 'Budget', 'Tax', 'Report'];

async function main() {
  const DB = `wb_bench_catalog_${process.pid}`;
  const admin = await connectPgAdmin();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-catalog-'));
  const pg = new Client({ ...PG_TEST_SERVER, database: DB });
  await pg.connect();
  const names = [];
  try {
    // --- a big PostgreSQL catalog
    let t = now();
    const schemas = ['public', 'finance', 'staging', 'archive'];
    for (const s of schemas.slice(1)) await pg.query(`create schema ${s}`);
    const batch = [];
    const used = new Set();
    for (let i = 0; i < TABLES; i++) {
      let name;
      do name = `${pick(AREAS)}_${pick(THINGS)}_${pick(THINGS)}_${i}`; while (used.has(name));
      used.add(name);
      const schema = schemas[i % schemas.length];
      names.push(name);
      const cols = [];
      const colUsed = new Set();
      for (let c = 0; c < COLUMNS; c++) {
        let col = pick(COLS);
        if (colUsed.has(col)) col = `${col}_${c}`;
        colUsed.add(col);
        cols.push(`${col} ${c % 4 === 0 ? 'numeric' : c % 4 === 1 ? 'varchar' : c % 4 === 2 ? 'int4' : 'date'}`);
      }
      batch.push(`create table ${schema}.${name} (${cols.join(', ')});${i % 3 === 0 ? ` comment on table ${schema}.${name} is '${pick(WORDS)} ${pick(WORDS).toLowerCase()} ${pick(WORDS).toLowerCase()}';` : ''}`);
      if (batch.length === 200) await pg.query(batch.splice(0).join('\n'));
    }
    if (batch.length) await pg.query(batch.join('\n'));
    const created = (now() - t) / 1000;
    // --- one big table for previews
    await pg.query(`create table public.big_move_line as select i as id, 'line ' || i as name, (i % 1000) * 1.5 as debit, (i % 700) * 1.25 as credit, date '2026-01-01' + (i % 365) as date, 'partner' || (i % 5000) || '@example.com' as email from generate_series(1, ${ROWS}) i`);
    await pg.query('analyze public.big_move_line');

    const store = await openStore({ sqlitePath: path.join(dir, 'workbench.db') });
    const secrets = await SecretStore.open({ storage: new StoreSecretStorage(store), keyRing: KeyRing.generate() });
    const connections = new ConnectionManager({ store, secrets });
    const warehouse = path.join(dir, 'warehouse.duckdb');
    {
      const db = await DuckDBInstance.create(warehouse);
      const c = await db.connect();
      await c.run(`create table big_move_line as select i as id, 'line ' || i as name, (i % 1000) * 1.5 as debit, (i % 700) * 1.25 as credit, date '2026-01-01' + (i % 365)::int as date from range(1, ${ROWS + 1}) t(i)`);
      c.closeSync();
      db.closeSync();
    }
    const catalog = new Catalog({ store, connections, warehousePath: warehouse });
    await catalog.start();
    await connections.create({ name: 'erp', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, schemas } }, 'bench');
    const rss0 = process.memoryUsage().rss;
    t = now();
    const first = await catalog.refresh('erp', { actor: 'bench' });
    const firstMs = now() - t;
    if (first.status !== 'ok') throw new Error(first.message);
    t = now();
    const second = await catalog.refresh('erp', { actor: 'bench' });
    const secondMs = now() - t;
    for (let i = 0; i < TABLES / 100; i++) await pg.query(`alter table ${schemas[(i * 97) % schemas.length]}.${names[(i * 97) % TABLES]} add column extra_${i} text`).catch(() => undefined);
    t = now();
    const third = await catalog.refresh('erp', { actor: 'bench' });
    const thirdMs = now() - t;
    if (global.gc) global.gc();
    const heapMb = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
    const rssGrowMb = ((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0);

    // --- search
    const queries = [];
    for (let i = 0; i < QUERIES; i++) {
      const n = names[Math.floor(rand() * names.length)];
      const k = i % 6;
      if (k === 0) queries.push(n); // exact
      else if (k === 1) queries.push(n.slice(0, 6)); // prefix
      else if (k === 2) queries.push(pick(THINGS)); // word
      else if (k === 3) queries.push(`${pick(AREAS)} ${pick(THINGS)}`); // two words
      else if (k === 4) queries.push(pick(['jornal', 'invoce', 'paymnet', 'ledgr', 'reconcle', 'balanse'])); // typos
      else queries.push(`zz${i}qq`); // miss
    }
    for (const q of queries.slice(0, 100)) catalog.search(q); // warm up
    const times = [];
    let hits = 0;
    for (const q of queries) {
      const s = now();
      hits += catalog.search(q, { limit: 20 }).length;
      times.push(now() - s);
    }

    // --- previews of 1M rows
    const t1 = { source: 'erp', schema: 'public', name: 'big_move_line' };
    await catalog.refresh('warehouse', { actor: 'bench' });
    const t2 = { source: 'warehouse', schema: 'main', name: 'big_move_line' };
    const timePreview = async (table, mode, n = 20) => {
      const xs = [];
      for (let i = 0; i < n + 2; i++) {
        const s = now();
        const p = await catalog.preview(table, { mode, limit: 100, unmask: false });
        if (p.rows.length === 0) throw new Error('empty preview');
        if (i >= 2) xs.push(now() - s);
      }
      return xs;
    };
    const previews = {
      pgFirst: await timePreview(t1, 'first'),
      pgSample: await timePreview(t1, 'sample'),
      duckFirst: await timePreview(t2, 'first'),
      duckSample: await timePreview(t2, 'sample'),
    };
    await catalog[Symbol.asyncDispose]();
    await connections[Symbol.asyncDispose]();
    await store[Symbol.asyncDispose]();

    const p = (xs, q) => percentile(xs, q).toFixed(2);
    const m = machineInfo(REPO);
    const columns = first.counts.columns;
    const section = [
      START,
      '## Data catalog',
      '',
      `\`node bench/catalog.js\` (commit ${m.commit}, ${m.date.slice(0, 10)}, ${m.nproc} cores, ${m.cpu}). A PostgreSQL database made for the run (${TABLES.toLocaleString('en')} tables of ${COLUMNS} columns in 4 schemas, a third with comments; created in ${created.toFixed(0)} s), discovered into the embedded SQLite store; search over that catalog; previews of a ${ROWS.toLocaleString('en')}-row table. Target (issue 13): search p95 < 100 ms over 10,000 tables / 200,000 columns.`,
      '',
      '| discovery | time | tables | columns | added / changed / removed |',
      '|---|---:|---:|---:|---|',
      `| first refresh (all new) | ${(firstMs / 1000).toFixed(2)} s | ${first.counts.tables} | ${columns} | ${first.counts.added} / ${first.counts.changed} / ${first.counts.removed} |`,
      `| refresh, nothing changed | ${(secondMs / 1000).toFixed(2)} s | ${second.counts.tables} | ${second.counts.columns} | ${second.counts.added} / ${second.counts.changed} / ${second.counts.removed} |`,
      `| refresh, 1% of tables changed | ${(thirdMs / 1000).toFixed(2)} s | ${third.counts.tables} | ${third.counts.columns} | ${third.counts.added} / ${third.counts.changed} / ${third.counts.removed} |`,
      '',
      `Search: ${QUERIES.toLocaleString('en')} queries (exact names, prefixes, words, two words, typos, misses; 20 hits at most; ${(hits / QUERIES).toFixed(1)} on average) over ${catalog.index.size.toLocaleString('en')} documents: **p50 ${p(times, 0.5)} ms, p95 ${p(times, 0.95)} ms, p99 ${p(times, 0.99)} ms**; server heap after indexing ${heapMb} MB${global.gc ? ' (after a full collection)' : ''}.`,
      '',
      `| preview, 100 rows of ${ROWS.toLocaleString('en')} | p50 | p95 |`,
      '|---|---:|---:|',
      `| PostgreSQL, first rows | ${p(previews.pgFirst, 0.5)} ms | ${p(previews.pgFirst, 0.95)} ms |`,
      `| PostgreSQL, sample (TABLESAMPLE BERNOULLI) | ${p(previews.pgSample, 0.5)} ms | ${p(previews.pgSample, 0.95)} ms |`,
      `| DuckDB warehouse, first rows (attach read-only, read, detach) | ${p(previews.duckFirst, 0.5)} ms | ${p(previews.duckFirst, 0.95)} ms |`,
      `| DuckDB warehouse, sample (~50 random vectors, then a reservoir) | ${p(previews.duckSample, 0.5)} ms | ${p(previews.duckSample, 0.95)} ms |`,
      END,
    ].join('\n');
    console.log(section);
    if (write) writeMarkedSection(path.join(REPO, 'BENCHMARKS.md'), START, END, section);
  } finally {
    await pg.end().catch(() => undefined);
    await admin.query(`drop database if exists ${DB} with (force)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
