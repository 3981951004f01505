#!/usr/bin/env node
'use strict';
// The audit trail's cost.
//
//   node bench/audit.js [--rounds=N] [--no-write]
//
// 1. Write throughput of the hash-chained log (server/audit) on the embedded
//    SQLite store and on the local PostgreSQL (a database this run creates and
//    drops): `record` by one writer and by 8 concurrent writers, and `append`
//    awaiting its flush by 8 writers (group commit on SQLite).
// 2. Overhead on the requests that are audited, in one Workbench started in
//    this process (compiled lib/), the same server measured two ways in
//    alternating blocks: audit on, and audit off (record/append no-ops, and
//    content reads not taken for files so the audit path is skipped).
//    Measured: GET /api/contents/<file> (recorded before the read, flushed
//    while reading, answer held until on disk) and an execute round trip
//    (execute_request over the v1 WebSocket until its reply and idle;
//    recorded before it reaches the kernel, flushed while it runs, outputs
//    held until on disk). The target (issue 12): < 5% at p50.
// Writes a section between <!-- bench:audit:start --> and <!-- bench:audit:end -->
// in BENCHMARKS.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const REPO = path.resolve(__dirname, '..');
const { KernelWs } = require('./lib/wsclient');
const { now, percentile } = require('./lib/util');
const { machineInfo, writeMarkedSection } = require('./lib/report');

const argv = process.argv.slice(2);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const rounds = Number(value('rounds') || 10);
const write = !argv.includes('--no-write');
const START = '<!-- bench:audit:start -->';
const END = '<!-- bench:audit:end -->';

const { openStore } = require(path.join(REPO, 'server/store/lib'));
const { testDatabases } = require(path.join(REPO, 'server/store/lib/testing'));
const { AuditLog } = require(path.join(REPO, 'server/audit/lib'));
const { loadConfig } = require(path.join(REPO, 'server/app/lib/config'));
const { startWorkbench } = require(path.join(REPO, 'server/app/lib/app'));
const { silentLogger } = require(path.join(REPO, 'core/lib'));

const entry = (i) => ({ actor: 'bench', actorRole: 'analyst', via: 'token', resource: 'kernels', action: 'execute', target: `k${i % 7}`, ip: '127.0.0.1', userAgent: 'bench', outcome: 'ok', detail: { code_sha256: 'x'.repeat(64), notebook: 'close/2026-11.ipynb' } });

async function throughput(dialect) {
  const dbs = testDatabases(dialect);
  try {
    const store = await openStore(await dbs.create());
    try {
      const log = new AuditLog({ store });
      const n = 2000;
      let t = now();
      for (let i = 0; i < n; i++) await log.record(entry(i));
      const serial = n / ((now() - t) / 1000);
      const writers = 8;
      t = now();
      await Promise.all(Array.from({ length: writers }, async (_, w) => { for (let i = 0; i < n / writers; i++) await log.record(entry(w * 1000 + i)); }));
      const concurrent = n / ((now() - t) / 1000);
      // append: committed without waiting for the disk, then awaiting the shared flush (group commit on SQLite).
      const appendDurable = async (i) => { const { durable } = await log.append(entry(i)); await durable; };
      t = now();
      await Promise.all(Array.from({ length: writers }, async (_, w) => { for (let i = 0; i < n / writers; i++) await appendDurable(w * 1000 + i); }));
      const grouped = n / ((now() - t) / 1000);
      const verified = await log.verify();
      if (!verified.ok || verified.count !== 3 * n) throw new Error(`chain broken after the benchmark: ${JSON.stringify(verified)}`);
      // The floor of "on disk before the answer": one append's commit, and the flush after it, each timed alone.
      const commit = [], flush = [];
      for (let i = 0; i < 300; i++) {
        const t0 = now();
        const { durable } = await log.append(entry(i));
        const t1 = now();
        await durable;
        commit.push(t1 - t0);
        flush.push(now() - t1);
      }
      return { serial, concurrent, grouped, commit: percentile(commit, 0.5), flush: percentile(flush, 0.5) };
    } finally {
      await store[Symbol.asyncDispose]();
    }
  } finally {
    await dbs[Symbol.asyncDispose]();
  }
}

async function overhead() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-audit-'));
  const env = { ...process.env, WORKBENCH_DATA_DIR: path.join(dir, 'data'), JUPYTER_CONFIG_DIR: path.join(dir, 'cfg'), JUPYTER_RUNTIME_DIR: path.join(dir, 'rt') };
  const cfgFile = path.join(dir, 'config.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ contents: { versioning: false } }));
  const { config } = loadConfig(['--port', '0', '--no-browser', '--token', 'bench-token', '--root-dir', path.join(dir, 'root'), '--config', cfgFile], env, dir);
  const wb = await startWorkbench(config, { env, logger: silentLogger });
  const server = { port: wb.port, token: 'bench-token' };
  const headers = { Authorization: 'token bench-token' };
  const base = `http://127.0.0.1:${wb.port}/`;
  try {
    await fetch(`${base}api/contents/report.txt`, { method: 'PUT', headers, body: JSON.stringify({ type: 'file', format: 'text', content: 'x'.repeat(4096) }) });
    const k = await (await fetch(`${base}api/kernels`, { method: 'POST', headers, body: JSON.stringify({ name: 'python3' }) })).json();
    const ws = await KernelWs.open(server, k.id);
    await ws.request('shell', 'kernel_info_request', {});
    // Off: no record at all (contents reads skip the audit path as for a directory; executes append nothing).
    const real = { record: wb.audit.record, append: wb.audit.append, looksLikeFile: wb.contents.looksLikeFile };
    const off = () => {
      wb.audit.record = async () => ({});
      wb.audit.append = async () => ({ record: {}, durable: Promise.resolve() });
      wb.contents.looksLikeFile = () => false;
    };
    const on = () => Object.assign(wb.audit, { record: real.record, append: real.append }) && (wb.contents.looksLikeFile = real.looksLikeFile);
    const samples = { contents: { on: [], off: [] }, execute: { on: [], off: [] } };
    const get = async () => { const t = now(); const r = await fetch(`${base}api/contents/report.txt`, { headers }); await r.arrayBuffer(); if (r.status !== 200) throw new Error(`GET ${r.status}`); return now() - t; };
    const exec = async () => { const t = now(); await ws.request('shell', 'execute_request', { code: '1+1', silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true }); return now() - t; };
    for (let i = 0; i < 30; i++) { await get(); await exec(); } // warm up
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 ? ['off', 'on'] : ['on', 'off']) {
        mode === 'on' ? on() : off();
        for (let i = 0; i < 100; i++) samples.contents[mode].push(await get());
        for (let i = 0; i < 50; i++) samples.execute[mode].push(await exec());
      }
    }
    on();
    await ws.close();
    return samples;
  } finally {
    await wb[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const sqlite = await throughput('sqlite');
  const postgres = await throughput('postgres');
  const s = await overhead();
  const p50 = (xs) => percentile(xs, 0.5);
  const row = (name, x) => {
    const a = p50(x.on), b = p50(x.off);
    return `| ${name} | ${b.toFixed(3)} ms | ${a.toFixed(3)} ms | ${(((a - b) / b) * 100).toFixed(1)}% | ${percentile(x.off, 0.95).toFixed(3)} / ${percentile(x.on, 0.95).toFixed(3)} ms |`;
  };
  const m = machineInfo(REPO);
  const section = [
    START,
    '## Audit trail',
    '',
    `\`node bench/audit.js\` (commit ${m.commit}, ${m.date.slice(0, 10)}, ${m.nproc} cores, ${m.cpu}). Throughput: 2,000 records with \`record\` awaited one by one, then 2,000 from 8 concurrent writers (each on disk before the next: SQLite synchronous=FULL, PostgreSQL commit), then 2,000 from 8 writers with \`append\` awaiting \`durable\` (SQLite: committed without waiting for the disk, one fdatasync of the WAL shared by the commits before it; PostgreSQL: as \`record\`); the chain verifies afterwards.`,
    '',
    '| store | record, one writer | record, 8 writers | append + shared flush, 8 writers |',
    '|---|---:|---:|---:|',
    `| SQLite (embedded) | ${sqlite.serial.toFixed(0)} records/s | ${sqlite.concurrent.toFixed(0)} records/s | ${sqlite.grouped.toFixed(0)} records/s |`,
    `| PostgreSQL (local) | ${postgres.serial.toFixed(0)} records/s | ${postgres.concurrent.toFixed(0)} records/s | ${postgres.grouped.toFixed(0)} records/s |`,
    '',
    `Overhead on audited requests (one server on the embedded SQLite store, audit on and off in alternating blocks, ${rounds} rounds; target < 5% at p50). The content read's record is written before the file is read and flushed while it is read; the execute's is written before the code reaches the kernel and flushed while it runs; neither answer leaves before its record is on disk:`,
    '',
    '| request | p50 without audit | p50 with audit | p50 overhead | p95 without / with |',
    '|---|---:|---:|---:|---:|',
    row('GET /api/contents/<4 KB file>', s.contents),
    row('execute round trip (v1 WebSocket, `1+1`)', s.execute),
    '',
    `The floor, timed alone on the SQLite store: an append's commit p50 ${sqlite.commit.toFixed(3)} ms, then its flush (one fdatasync of the journal) p50 ${sqlite.flush.toFixed(3)} ms; on PostgreSQL a commit p50 ${postgres.commit.toFixed(3)} ms. In the server the same commit and flush share two cores with the kernel, ZeroMQ's threads and the benchmark's own client, and take longer. An execute's record must be committed before the code reaches the kernel (a store that cannot be written must stop the code) and a read's answer waits for the part of the flush its own work does not cover, so the 5% target is NOT met for a ~2 ms file read or a ~6 ms \`1+1\` on this machine; meeting it would need a disk whose flush is far quicker, or records that need only survive the server process (not a power loss) before the answer, which is weaker than the issue asks.`,
    END,
  ].join('\n');
  console.log(section);
  if (write) writeMarkedSection(path.join(REPO, 'BENCHMARKS.md'), START, END, section);
})().catch((err) => { console.error(err); process.exit(1); });
