#!/usr/bin/env node
'use strict';
// SQL kernel benchmark: Workbench's `sql` kernel (kernels/sql, DuckDB) through the
// gateway's WebSocket, against the same queries run in-process with @duckdb/node-api.
//
//   node bench/sql.js [--quick] [--no-write|--write] [--json=FILE]
//
// 1. GROUP BY over 10M generated rows (1000 groups): gateway vs direct (in-memory table,
//    and the same table in a DuckDB file held attached, as the kernel holds the warehouse).
// 2. Time until the execute_result of a 1M-row SELECT arrives (first 1000 rows + count).
// 3. Peak-minus-baseline RSS of the kernel and of the gateway while 1M- and 10M-row
//    results stream (fresh kernel per run, /proc/<pid>/status VmRSS every 50 ms).
// 4. `SELECT 1` execute overhead: gateway vs direct.
// Writes a section between <!-- bench:sql:start --> and <!-- bench:sql:end --> in
// BENCHMARKS.md (full run; --quick only prints unless --write).
//
// Reuses bench/lib (server start/stop, process groups, WebSocket client, load accounting).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { startWorkbench, stopServer, REPO } = require('./lib/servers');
const { KernelWs } = require('./lib/wsclient');
const { makeMessage, EXECUTE_DEFAULTS } = require('./lib/protocol');
const { now, sleep, percentile, median, withTimeout } = require('./lib/util');
const { killAllSync, descendants, trackDir, spawnGroup, stopGroup } = require('./lib/procs');
const { LoadMonitor, waitMachineQuiet } = require('./lib/load');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const known = /^--(quick|write|no-write|json=.+|help)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || flag('help')) {
  console.error(`usage: node bench/sql.js [--quick] [--no-write|--write] [--json=FILE]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}

const quick = flag('quick');
const write = flag('write') || (!quick && !flag('no-write'));
const OUT = path.join(REPO, 'BENCHMARKS.md');
const START = '<!-- bench:sql:start -->';
const END = '<!-- bench:sql:end -->';

const opts = quick
  ? { factRows: 1_000_000, groupWarmup: 1, groupN: 3, bigRows: 1_000_000, ttfrWarmup: 1, ttfrN: 2, memSizes: [1_000_000, 10_000_000], memReps: 1, trivialWarmup: 5, trivialN: 20 }
  : { factRows: 10_000_000, groupWarmup: 3, groupN: 30, bigRows: 1_000_000, ttfrWarmup: 1, ttfrN: 5, memSizes: [100_000, 1_000_000, 10_000_000, 30_000_000], memReps: 3, trivialWarmup: 10, trivialN: 100 };
opts.block = 10; // SELECT 1: paths take turns in blocks of this many
opts.sampleMs = 50; // RSS sampling interval
const MAX_ROWS = 1000; // rows the kernel keeps per result (server default sql.max_rows)

const CREATE_SQL = (n) => `CREATE OR REPLACE TABLE facts AS SELECT range AS id, range % 1000 AS account, (range * 7919 % 100000) / 100.0 AS amount FROM range(${n})`;
const GROUP_SQL = 'SELECT account, sum(amount) AS total, count(*) AS n FROM facts GROUP BY account ORDER BY account';
// Diagnostic: the same aggregation (sum(total) keeps DuckDB computing every column), but
// returning one row, to separate the cost of rendering and shipping 1000 rows from the query.
const GROUP_ONE_SQL = `SELECT count(*) AS groups, sum(total) AS total, sum(n) AS n FROM (${GROUP_SQL})`;
const BIG_SQL = (n) => `SELECT range AS i, range * 2 AS j FROM range(${n})`;
const TRIVIAL_SQL = 'SELECT 1';

// Whatever happens, no process we started survives us (and temp dirs are removed).
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`\n${sig}: cleaning up`); killAllSync(); process.exit(130); });
const WATCHDOG_MIN = quick ? 10 : 40;
setTimeout(() => { console.error(`watchdog: still running after ${WATCHDOG_MIN} min, giving up`); killAllSync(); process.exit(3); }, WATCHDOG_MIN * 60000).unref();

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const fmtN = (n) => n.toLocaleString('en-US');
const p = (xs, q) => percentile(xs, q);

function sh(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15000 }).trim(); } catch { return '?'; }
}

function machineInfo() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model || '?';
  const dirty = sh('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no']) ? ' (+ uncommitted changes)' : '';
  let duckdb = '?';
  try { duckdb = require('@duckdb/node-api/package.json').version; } catch { /* ignore */ }
  return {
    date: new Date().toISOString(),
    nproc: sh('nproc', []),
    cpu,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    duckdbNodeApi: duckdb,
    commit: sh('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']) + dirty,
  };
}

// ---------------------------------------------------------------------------
// Gateway side

/**
 * Send one execute_request and wait for its execute_reply and iopub idle (bench/lib's
 * tracker), also noting when the execute_result arrived. Throws unless status is ok.
 */
async function execute(ws, code, { timeoutMs = 300000 } = {}) {
  const msg = makeMessage('execute_request', { ...EXECUTE_DEFAULTS, code }, ws.session);
  const id = msg.header.msg_id;
  let result = null;
  let tResult = 0;
  let tFirstRows = 0;
  let error = null;
  const listener = (m) => {
    if (m.parentId !== id || m.channel !== 'iopub') return;
    if ((m.msgType === 'display_data' || m.msgType === 'execute_result') && !tFirstRows) tFirstRows = now();
    if (m.msgType === 'execute_result') { tResult = now(); result = m; } else if (m.msgType === 'error') error = m;
  };
  ws.tracker.listeners.add(listener);
  try {
    const { done } = ws.tracker.expect(id, { timeoutMs, what: `execute_request ${JSON.stringify(code.slice(0, 60))}` });
    ws.send('shell', msg);
    const e = await done;
    if (e.reply.content.status !== 'ok') {
      const c = error ? error.content : e.reply.content;
      throw new Error(`cell ${JSON.stringify(code.slice(0, 80))} failed: ${c.ename}: ${c.evalue}`);
    }
    return { total: e.tDone - e.t0, reply: e.tReply - e.t0, toResult: tResult ? tResult - e.t0 : NaN, toFirstRows: tFirstRows ? tFirstRows - e.t0 : NaN, result, resultBytes: result ? result.contentBytes : 0 };
  } finally {
    ws.tracker.listeners.delete(listener);
  }
}

/** Start a `sql` kernel over REST, open its channels (v1), wait for kernel_info. Returns {id, ws, pid}. */
async function openSqlKernel(server) {
  const before = new Set(sqlKernelPids(server));
  const { id } = await server.rest.startKernel('sql');
  const ws = await KernelWs.open(server, id, 'v1', { timeoutMs: 60000 });
  const info = await ws.request('shell', 'kernel_info_request', {}, { timeoutMs: 60000 });
  const impl = info.reply.content.implementation;
  const fresh = sqlKernelPids(server).filter((x) => !before.has(x));
  return { id, ws, pid: fresh.length === 1 ? fresh[0] : undefined, impl };
}

async function closeKernel(server, k) {
  if (!k) return;
  try { await k.ws.close(); } catch { /* ignore */ }
  try { await server.rest.deleteKernel(k.id); } catch (e) { log(`  deleting kernel ${k.id}: ${e.message}`); }
}

function cmdline(pid) {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
}

/**
 * Live descendants of the gateway that are the sql kernel: a node process running
 * sql-kernel.js (in the sandbox, the sh and bwrap processes above it carry the same
 * arguments).
 */
function sqlKernelPids(server) {
  return descendants(server.child.pid).filter((x) => {
    const argv = cmdline(x).split(' ');
    return path.basename(argv[0]) === path.basename(process.execPath) && argv.some((a) => a.endsWith('sql-kernel.js'));
  });
}

/** VmRSS and VmHWM of a process in KiB (undefined once it is gone). */
function memKiB(pid) {
  let s;
  try { s = fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return undefined; }
  const rss = /VmRSS:\s+(\d+) kB/.exec(s);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(s);
  return { rss: rss ? Number(rss[1]) : undefined, hwm: hwm ? Number(hwm[1]) : undefined };
}

/** Sample VmRSS of the given pids every `ms` until stopped; bounded by maxSamples. */
function startSampler(pids, ms, maxSamples = 100000) {
  const series = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  const hwm0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, memKiB(pid)?.hwm]));
  let n = 0;
  const tick = () => {
    for (const [k, pid] of Object.entries(pids)) {
      const m = memKiB(pid);
      if (m && m.rss !== undefined) series[k].push(m.rss);
    }
    if (++n >= maxSamples) clearInterval(timer);
  };
  tick();
  const timer = setInterval(tick, ms);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const hwm1 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, memKiB(pid)?.hwm]));
      return { series, hwm0, hwm1, samples: n };
    },
  };
}

/** Baseline RSS (KiB): median of samples over `ms`. */
async function baselineRss(pid, ms = 500, every = 50) {
  const xs = [];
  for (let t = 0; t < ms; t += every) {
    const m = memKiB(pid);
    if (m && m.rss !== undefined) xs.push(m.rss);
    await sleep(every);
  }
  return median(xs);
}

// ---------------------------------------------------------------------------
// Direct side: @duckdb/node-api in this process

class Direct {
  static async open(dir, factRows) {
    const { DuckDBInstance } = require('@duckdb/node-api');
    const d = new Direct();
    d.file = path.join(dir, 'direct.duckdb');
    d.instance = await DuckDBInstance.create(':memory:');
    d.conn = await d.instance.connect();
    const t0 = now();
    await d.conn.run(CREATE_SQL(factRows)); // in-memory copy, in the `memory` catalog
    d.createMemMs = now() - t0;
    const t1 = now();
    await d.attach();
    await d.conn.run(CREATE_SQL(factRows)); // file-backed copy, in w
    await d.conn.run('CHECKPOINT w');
    await d.conn.run('USE memory');
    // A second connection that works in the file, held attached like the kernel's warehouse.
    d.fileConn = await d.instance.connect();
    await d.fileConn.run('USE w');
    d.createFileMs = now() - t1;
    return d;
  }

  async attach() {
    await this.conn.run(`ATTACH '${this.file.replace(/'/g, "''")}' AS w`);
    await this.conn.run('USE w');
  }


  /** runAndReadAll on the in-memory DB; returns {ms, rows}. */
  async query(sql) {
    const t0 = now();
    const r = await this.conn.runAndReadAll(sql);
    const ms = now() - t0;
    return { ms, rows: r.currentRowCount, reader: r };
  }

  /** runAndReadAll on the file-backed copy, attached for the whole run (as the kernel holds the warehouse between cells). */
  async queryFile(sql) {
    const t0 = now();
    const r = await this.fileConn.runAndReadAll(sql);
    return { ms: now() - t0, rows: r.currentRowCount, reader: r };
  }

  /** Stream a result chunk by chunk, keeping the first `keep` rows (as the kernel does); times first chunk and end. */
  async streamKeep(sql, keep) {
    const t0 = now();
    const res = await this.conn.stream(sql);
    let tFirst = 0;
    let kept = 0;
    let total = 0;
    for (let guard = 0; guard < 1e7; guard++) {
      const chunk = await res.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      if (!tFirst) tFirst = now() - t0;
      const need = keep - kept;
      if (need > 0) {
        const k = Math.min(need, chunk.rowCount);
        if (k === chunk.rowCount) chunk.getRows(); else for (let i = 0; i < k; i++) chunk.getRowValues(i);
        kept += k;
      }
      total += chunk.rowCount;
    }
    return { ms: now() - t0, firstChunkMs: tFirst, kept, total };
  }

  close() {
    try { if (this.fileConn) this.fileConn.closeSync(); } catch { /* ignore */ }
    try { this.conn.closeSync(); } catch { /* ignore */ }
    try { this.instance.closeSync(); } catch { /* ignore */ }
  }
}

// ---------------------------------------------------------------------------
// Steps

async function step(res, key, name, fn) {
  const q = await waitMachineQuiet({ timeoutMs: quick ? 10000 : 30000 });
  log(`${name} ...${q.quiet ? '' : ` (machine still ${(100 * q.busy).toFixed(0)}% busy after ${q.waitedS.toFixed(0)} s; going on)`}`);
  const mon = new LoadMonitor();
  try {
    return await fn();
  } catch (e) {
    log(`${name} FAILED: ${e.stack || e.message}`);
    res.errors.push(`${name}: ${e.message}`);
    return undefined;
  } finally {
    res.load[key] = { ...mon.stop(), waitedS: q.waitedS, quietBefore: q.quiet };
  }
}

const stats = (xs) => ({ n: xs.length, p50: p(xs, 0.5), p95: p(xs, 0.95), min: Math.min(...xs), max: Math.max(...xs), all: xs.map((x) => Number(x.toFixed(2))) });

function checkGroupResult(r, factRows, res) {
  const meta = r.result && r.result.content.metadata && r.result.content.metadata.workbench;
  const dr = r.result && r.result.content.data['application/vnd.dataresource+json'];
  const n = dr ? dr.data.reduce((a, row) => a + Number(row.n), 0) : NaN;
  if (!meta || meta.rows !== 1000 || !dr || dr.data.length !== 1000 || n !== factRows) {
    res.errors.push(`GROUP BY result through the gateway looks wrong: rows=${meta && meta.rows}, data rows=${dr && dr.data.length}, sum(n)=${n} (want 1000, 1000, ${factRows})`);
  }
}

async function groupBy(ws, direct, res) {
  const g = []; const dm = []; const da = [];
  for (let i = 0; i < opts.groupWarmup; i++) {
    const r = await execute(ws, GROUP_SQL);
    checkGroupResult(r, opts.factRows, res);
    await direct.query(GROUP_SQL);
    await direct.queryFile(GROUP_SQL);
  }
  const g1 = []; const da1 = [];
  const r1 = await execute(ws, GROUP_ONE_SQL); // warm-up of the 1-row variant
  await direct.queryFile(GROUP_ONE_SQL);
  const dr1 = r1.result && r1.result.content.data['application/vnd.dataresource+json'];
  if (!dr1 || dr1.data.length !== 1 || Number(dr1.data[0].n) !== opts.factRows) res.errors.push(`1-row GROUP BY variant looks wrong: ${JSON.stringify(dr1 && dr1.data)}`);
  const paths = [
    async () => { const r = await execute(ws, GROUP_SQL); g.push(r.total); res.groupResultBytes = r.resultBytes; },
    async () => { const r = await direct.query(GROUP_SQL); if (r.rows !== 1000) throw new Error(`direct GROUP BY returned ${r.rows} rows`); dm.push(r.ms); },
    async () => { const r = await direct.queryFile(GROUP_SQL); if (r.rows !== 1000) throw new Error(`direct file GROUP BY returned ${r.rows} rows`); da.push(r.ms); },
    async () => { g1.push((await execute(ws, GROUP_ONE_SQL)).total); },
    async () => { da1.push((await direct.queryFile(GROUP_ONE_SQL)).ms); },
  ];
  for (let i = 0; i < opts.groupN; i++) {
    // Interleaved, rotating which path goes first, so all see the same machine.
    for (let j = 0; j < paths.length; j++) await paths[(i + j) % paths.length]();
    log(`  ${i + 1}/${opts.groupN}: gateway ${g[g.length - 1].toFixed(0)} ms, direct mem ${dm[dm.length - 1].toFixed(0)} ms, direct file ${da[da.length - 1].toFixed(0)} ms; 1-row variant: gateway ${g1[g1.length - 1].toFixed(0)} ms, direct file ${da1[da1.length - 1].toFixed(0)} ms`);
  }
  return { gateway: stats(g), directMem: stats(dm), directFile: stats(da), oneRowGateway: stats(g1), oneRowDirectFile: stats(da1) };
}

async function timeToResult(ws, direct, res) {
  const sql = BIG_SQL(opts.bigRows);
  const toResult = []; const toFirst = []; const total = []; const dStream = []; const dFirst = [];
  let bytes = 0;
  for (let i = 0; i < opts.ttfrWarmup + opts.ttfrN; i++) {
    const r = await execute(ws, sql);
    const d = await direct.streamKeep(sql, MAX_ROWS);
    if (d.total !== opts.bigRows || d.kept !== MAX_ROWS) throw new Error(`direct stream read ${d.total} rows, kept ${d.kept}`);
    const meta = r.result && r.result.content.metadata && r.result.content.metadata.workbench;
    const dr = r.result && r.result.content.data['application/vnd.dataresource+json'];
    if (!meta || meta.rows !== opts.bigRows || !meta.truncated || !dr || dr.data.length !== MAX_ROWS) {
      res.errors.push(`${fmtN(opts.bigRows)}-row result looks wrong: rows=${meta && meta.rows}, truncated=${meta && meta.truncated}, data rows=${dr && dr.data.length}`);
    }
    bytes = r.resultBytes;
    if (i < opts.ttfrWarmup) continue;
    toResult.push(r.toResult);
    toFirst.push(r.toFirstRows);
    total.push(r.total);
    dStream.push(d.ms);
    dFirst.push(d.firstChunkMs);
    log(`  ${i + 1 - opts.ttfrWarmup}/${opts.ttfrN}: first rows after ${r.toFirstRows.toFixed(1)} ms, execute_result after ${r.toResult.toFixed(0)} ms (idle ${r.total.toFixed(0)} ms); direct stream ${d.ms.toFixed(0)} ms, first chunk ${d.firstChunkMs.toFixed(1)} ms`);
  }
  return { toFirstRows: stats(toFirst), toResult: stats(toResult), total: stats(total), directStream: stats(dStream), directFirstChunk: stats(dFirst), resultBytes: bytes };
}

async function trivial(ws, direct) {
  const g = []; const dm = []; const da = [];
  for (let i = 0; i < opts.trivialWarmup; i++) {
    await execute(ws, TRIVIAL_SQL);
    await direct.query(TRIVIAL_SQL);
    await direct.queryFile(TRIVIAL_SQL);
  }
  const paths = [
    async () => { g.push((await execute(ws, TRIVIAL_SQL)).total); },
    async () => { dm.push((await direct.query(TRIVIAL_SQL)).ms); },
    async () => { da.push((await direct.queryFile(TRIVIAL_SQL)).ms); },
  ];
  for (let done = 0; done < opts.trivialN;) {
    const k = Math.min(opts.block, opts.trivialN - done);
    for (const run of paths) for (let i = 0; i < k; i++) await run();
    done += k;
  }
  return { gateway: stats(g), directMem: stats(dm), directFile: stats(da) };
}

// A fresh Node process that streams the same result with @duckdb/node-api exactly as the
// kernel does (fetchChunk to the end, first 1000 rows kept) and samples its own VmRSS:
// the floor for step 3. With gcEvery > 0 (and --expose-gc) it calls gc() every that many
// chunks, to show whether what piles up is garbage waiting for V8's collector.
const PROBE = `
const fs = require('fs');
const { DuckDBInstance } = require(process.env.DUCKDB_API);
const mem = () => { const s = fs.readFileSync('/proc/self/status', 'utf8'); return { rss: Number(/VmRSS:\\s+(\\d+)/.exec(s)[1]), hwm: Number(/VmHWM:\\s+(\\d+)/.exec(s)[1]) }; };
(async () => {
  const [n, keep, gcEvery, every] = process.argv.slice(1).map(Number);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.runAndReadAll('SELECT 1');
  await new Promise((r) => setTimeout(r, 300));
  const xs = [];
  for (let i = 0; i < 10; i++) { xs.push(mem().rss); await new Promise((r) => setTimeout(r, 50)); }
  xs.sort((a, b) => a - b);
  const base = xs[5];
  const hwm0 = mem().hwm;
  let peak = base;
  const t = setInterval(() => { peak = Math.max(peak, mem().rss); }, every);
  const t0 = performance.now();
  const res = await c.stream('SELECT range AS i, range * 2 AS j FROM range(' + n + ')');
  let kept = 0, total = 0, chunks = 0;
  for (let g = 0; g < 1e8; g++) {
    const ch = await res.fetchChunk();
    if (!ch || ch.rowCount === 0) break;
    const need = keep - kept;
    if (need > 0) { const k = Math.min(need, ch.rowCount); if (k === ch.rowCount) ch.getRows(); else for (let i = 0; i < k; i++) ch.getRowValues(i); kept += k; }
    total += ch.rowCount;
    if (gcEvery && ++chunks % gcEvery === 0) global.gc();
  }
  const ms = performance.now() - t0;
  clearInterval(t);
  const m = mem();
  peak = Math.max(peak, m.rss);
  process.stdout.write(JSON.stringify({ n, total, kept, ms, baseKiB: base, peakKiB: peak, hwmRose: m.hwm > hwm0, hwmKiB: m.hwm }) + '\\n');
  c.closeSync(); inst.closeSync();
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

async function directMemProbe(rows, gcEvery) {
  const args = [...(gcEvery ? ['--expose-gc'] : []), '-e', PROBE, String(rows), String(MAX_ROWS), String(gcEvery), String(opts.sampleMs)];
  const env = { ...process.env, DUCKDB_API: require.resolve('@duckdb/node-api') };
  const child = spawnGroup(process.execPath, args, { env, cwd: os.tmpdir() });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { if (err.length < 4000) err += d; });
  try {
    const code = await withTimeout(new Promise((r) => child.once('exit', (c) => r(c))), 300000, `direct memory probe (${rows} rows)`);
    if (code !== 0) throw new Error(`direct memory probe exited ${code}: ${err.slice(-500)}`);
  } finally {
    await stopGroup(child, 2000);
  }
  const r = JSON.parse(out.trim().split('\n').pop());
  if (r.total !== rows || r.kept !== MAX_ROWS) throw new Error(`direct memory probe read ${r.total} rows, kept ${r.kept}`);
  return { ms: r.ms, deltaMiB: (r.peakKiB - r.baseKiB) / 1024, hwmDeltaMiB: r.hwmRose ? (r.hwmKiB - r.baseKiB) / 1024 : null, baseMiB: r.baseKiB / 1024 };
}

async function memory(server, res) {
  const gwPid = server.child.pid;
  const runs = [];
  for (const rows of opts.memSizes) {
    for (let rep = 0; rep < opts.memReps; rep++) {
      let k;
      try {
        k = await openSqlKernel(server);
        if (!k.pid) throw new Error('cannot find the sql kernel process (a child of the gateway running sql-kernel.js)');
        await execute(k.ws, TRIVIAL_SQL); // first cell: ATTACH path, renderer warmed
        await sleep(300);
        const base = { kernel: await baselineRss(k.pid), gateway: await baselineRss(gwPid) };
        const sampler = startSampler({ kernel: k.pid, gateway: gwPid }, opts.sampleMs);
        let r;
        let s;
        try {
          r = await execute(k.ws, BIG_SQL(rows), { timeoutMs: 600000 });
        } finally {
          s = sampler.stop();
        }
        const meta = r.result && r.result.content.metadata && r.result.content.metadata.workbench;
        if (!meta || meta.rows !== rows) res.errors.push(`memory run: ${fmtN(rows)}-row result reported ${meta && meta.rows} rows`);
        const peak = { kernel: Math.max(...s.series.kernel), gateway: Math.max(...s.series.gateway) };
        const run = {
          rows, rep, ms: r.total, samples: s.samples,
          baseMiB: { kernel: base.kernel / 1024, gateway: base.gateway / 1024 },
          peakMiB: { kernel: peak.kernel / 1024, gateway: peak.gateway / 1024 },
          deltaMiB: { kernel: (peak.kernel - base.kernel) / 1024, gateway: (peak.gateway - base.gateway) / 1024 },
          // VmHWM rose during the query => the true peak (between samples too) was VmHWM after.
          hwmRoseMiB: { kernel: (s.hwm1.kernel - s.hwm0.kernel) / 1024, gateway: (s.hwm1.gateway - s.hwm0.gateway) / 1024 },
          hwmDeltaMiB: { kernel: s.hwm1.kernel > s.hwm0.kernel ? (s.hwm1.kernel - base.kernel) / 1024 : null, gateway: s.hwm1.gateway > s.hwm0.gateway ? (s.hwm1.gateway - base.gateway) / 1024 : null },
        };
        runs.push(run);
        log(`  ${fmtN(rows)} rows (rep ${rep + 1}): ${r.total.toFixed(0)} ms, ${s.samples} samples; kernel ${run.baseMiB.kernel.toFixed(0)} -> peak ${run.peakMiB.kernel.toFixed(0)} MiB (+${run.deltaMiB.kernel.toFixed(1)}), gateway ${run.baseMiB.gateway.toFixed(0)} -> ${run.peakMiB.gateway.toFixed(0)} MiB (+${run.deltaMiB.gateway.toFixed(1)})`);
      } finally {
        await closeKernel(server, k);
      }
      // The same stream in a fresh plain Node process (no gateway, no kernel), as is and with gc().
      const d = await directMemProbe(rows, 0);
      const dg = await directMemProbe(rows, 16);
      runs[runs.length - 1].direct = d;
      runs[runs.length - 1].directGc = dg;
      log(`    direct node process: +${d.deltaMiB.toFixed(1)} MiB (${d.ms.toFixed(0)} ms); with gc() every 16 chunks: +${dg.deltaMiB.toFixed(1)} MiB`);
    }
  }
  const bySize = opts.memSizes.map((rows) => {
    const rs = runs.filter((r) => r.rows === rows);
    const col = (f) => rs.map(f);
    return {
      rows,
      n: rs.length,
      ms: median(col((r) => r.ms)),
      kernelBase: median(col((r) => r.baseMiB.kernel)),
      kernelDelta: median(col((r) => r.deltaMiB.kernel)),
      kernelDeltaMax: Math.max(...col((r) => r.deltaMiB.kernel)),
      kernelHwmDeltaMax: Math.max(...col((r) => r.hwmDeltaMiB.kernel ?? r.deltaMiB.kernel)),
      gatewayBase: median(col((r) => r.baseMiB.gateway)),
      gatewayDelta: median(col((r) => r.deltaMiB.gateway)),
      gatewayDeltaMax: Math.max(...col((r) => r.deltaMiB.gateway)),
      gatewayHwmDeltaMax: Math.max(...col((r) => r.hwmDeltaMiB.gateway ?? r.deltaMiB.gateway)),
      directDelta: median(col((r) => r.direct.deltaMiB)),
      directDeltaMax: Math.max(...col((r) => r.direct.deltaMiB)),
      directMs: median(col((r) => r.direct.ms)),
      directGcDelta: median(col((r) => r.directGc.deltaMiB)),
      directGcDeltaMax: Math.max(...col((r) => r.directGc.deltaMiB)),
    };
  });
  return { runs, bySize };
}

// ---------------------------------------------------------------------------
// Report

const f = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));
const ratio = (a, b) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : '—');
const pct = (x) => `${(100 * x).toFixed(0)}%`;

function renderSection(R) {
  const { meta } = R;
  const L = [];
  L.push(START);
  L.push('## SQL kernel: gateway vs direct DuckDB');
  L.push('');
  L.push(`Generated by \`${meta.command}\` on ${meta.date}${quick ? ' (**--quick smoke run: small N, 1M-row facts table**)' : ''}.`);
  L.push('');
  L.push(`Machine: ${meta.nproc} CPUs (\`nproc\`), ${meta.cpu}, ${meta.memGiB} GiB RAM, ${meta.os}. Node ${meta.node}; @duckdb/node-api ${meta.duckdbNodeApi} (kernel and direct). Workbench commit ${meta.commit}.`);
  L.push('');
  L.push('Gateway = `sql` kernel through Workbench: `execute_request` over `/api/kernels/{id}/channels` (v1 subprotocol) until both `execute_reply` and iopub `status: idle` arrived, as a client sees it. ' +
    'Direct = the same SQL in this Node process with `@duckdb/node-api` (`runAndReadAll`), either on an in-memory table ("mem") or on the same table in a DuckDB file of its own, attached for the whole run on a connection that `USE`s it ("file": what the kernel does with the warehouse, which it keeps attached between cells until another kernel asks for it). Percentiles are nearest-rank.');
  L.push('');
  L.push('| Measurement | Gateway | Direct (mem) | Direct (file) | Gateway/mem | Gateway/file |');
  L.push('|---|---:|---:|---:|---:|---:|');
  const g = R.groupBy;
  if (g) {
    const rows = fmtN(opts.factRows);
    L.push(`| 1. GROUP BY over ${rows} rows → 1000 groups: p50 (ms; N=${g.gateway.n} after ${opts.groupWarmup} warm-ups) | ${f(g.gateway.p50, 0)} | ${f(g.directMem.p50, 0)} | ${f(g.directFile.p50, 0)} | ${ratio(g.gateway.p50, g.directMem.p50)} | ${ratio(g.gateway.p50, g.directFile.p50)} |`);
    L.push(`| 1. same, p95 (ms) | ${f(g.gateway.p95, 0)} | ${f(g.directMem.p95, 0)} | ${f(g.directFile.p95, 0)} | ${ratio(g.gateway.p95, g.directMem.p95)} | ${ratio(g.gateway.p95, g.directFile.p95)} |`);
    L.push(`| 1. diagnostic: same aggregation returning 1 row (\`SELECT count(*), sum(total), sum(n) FROM (…)\`), p50 (ms) | ${f(g.oneRowGateway.p50, 0)} | | ${f(g.oneRowDirectFile.p50, 0)} | | ${ratio(g.oneRowGateway.p50, g.oneRowDirectFile.p50)} |`);
  } else L.push('| 1. GROUP BY | failed | | | | |');
  const t = R.trivial;
  if (t) {
    L.push(`| 4. \`SELECT 1\`: p50 (ms; N=${t.gateway.n} after ${opts.trivialWarmup} warm-ups) | ${f(t.gateway.p50, 2)} | ${f(t.directMem.p50, 2)} | ${f(t.directFile.p50, 2)} | ${ratio(t.gateway.p50, t.directMem.p50)} | ${ratio(t.gateway.p50, t.directFile.p50)} |`);
    L.push(`| 4. same, p95 (ms) | ${f(t.gateway.p95, 2)} | ${f(t.directMem.p95, 2)} | ${f(t.directFile.p95, 2)} | ${ratio(t.gateway.p95, t.directMem.p95)} | ${ratio(t.gateway.p95, t.directFile.p95)} |`);
    L.push(`| 4. execute overhead, p50 gateway − direct (ms) | | ${f(t.gateway.p50 - t.directMem.p50, 2)} | ${f(t.gateway.p50 - t.directFile.p50, 2)} | | |`);
  } else L.push('| 4. `SELECT 1` | failed | | | | |');
  L.push('');
  const tr = R.ttfr;
  if (tr) {
    L.push(`| 2. ${fmtN(opts.bigRows)}-row result \`${BIG_SQL(opts.bigRows)}\` (N=${tr.toResult.n} after ${opts.ttfrWarmup} warm-up) | p50 (ms) | p95 (ms) |`);
    L.push('|---|---:|---:|');
    L.push(`| Gateway: \`execute_request\` → first ${MAX_ROWS} rows on screen (the preview \`display_data\`, sent while the rest is counted) | ${f(tr.toFirstRows.p50, 1)} | ${f(tr.toFirstRows.p95, 1)} |`);
    L.push(`| Gateway: \`execute_request\` → \`execute_result\` (first ${MAX_ROWS} rows + total count, ${f(tr.resultBytes / 1024, 0)} KiB content) | ${f(tr.toResult.p50, 0)} | ${f(tr.toResult.p95, 0)} |`);
    L.push(`| Gateway: → \`execute_reply\` + idle | ${f(tr.total.p50, 0)} | ${f(tr.total.p95, 0)} |`);
    L.push(`| Direct: \`conn.stream()\` + \`fetchChunk()\` to the end, keeping ${MAX_ROWS} rows (what the kernel does before it can send) | ${f(tr.directStream.p50, 0)} | ${f(tr.directStream.p95, 0)} |`);
    L.push(`| Direct: same, until the first chunk (a true first row) | ${f(tr.directFirstChunk.p50, 1)} | ${f(tr.directFirstChunk.p95, 1)} |`);
    L.push('');
  }
  const m = R.memory;
  if (m) {
    L.push(`3. RSS while a big result streams (\`${BIG_SQL('N')}\`, fresh kernel per run, ${m.bySize[0].n} run(s) per size; VmRSS sampled every ${opts.sampleMs} ms; baseline = median over 0.5 s just before the cell; MiB):`);
    L.push('');
    L.push('| Rows | Cell time (ms) | Kernel baseline | **Kernel peak − baseline** (median / max) | Gateway baseline | **Gateway peak − baseline** (median / max) | Direct: plain Node process, same stream (median / max) | Direct + `gc()` every 16 chunks (median / max) |');
    L.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of m.bySize) {
      L.push(`| ${fmtN(s.rows)} | ${f(s.ms, 0)} | ${f(s.kernelBase, 0)} | ${f(s.kernelDelta, 1)} / ${f(s.kernelDeltaMax, 1)} | ${f(s.gatewayBase, 0)} | ${f(s.gatewayDelta, 1)} / ${f(s.gatewayDeltaMax, 1)} | ${f(s.directDelta, 1)} / ${f(s.directDeltaMax, 1)} | ${f(s.directGcDelta, 1)} / ${f(s.directGcDeltaMax, 1)} |`);
    }
    L.push('');
    const at = (rows) => m.bySize.find((s) => s.rows === rows);
    const s1 = at(1_000_000);
    const s10 = at(10_000_000);
    const big = m.bySize[m.bySize.length - 1];
    const hwmNote = m.bySize.map((s) => `${fmtN(s.rows)}: kernel ${f(s.kernelHwmDeltaMax, 1)}, gateway ${f(s.gatewayHwmDeltaMax, 1)}`).join('; ');
    if (s1 && s10) {
      const grow = s10.kernelDeltaMax - s1.kernelDeltaMax;
      const gw = Math.max(...m.bySize.map((s) => s.gatewayDeltaMax));
      L.push(`Bounded? Gateway: peak − baseline ≤ ${f(gw, 1)} MiB at every size (**bounded**). Kernel: ${f(s1.kernelDeltaMax, 1)} MiB at 1M rows, ${f(s10.kernelDeltaMax, 1)} MiB at 10M` +
        `${big !== s10 ? `, ${f(big.kernelDeltaMax, 1)} MiB at ${fmtN(big.rows)}` : ''} (${grow <= 32 ? '**bounded**' : `**grows with the row count** (+${f(grow, 1)} MiB from 1M to 10M${big !== s10 ? `, ${big.kernelDeltaMax - s10.kernelDeltaMax <= 32 ? 'then levels off' : 'and on'}` : ''})`}). ` +
        (s10.directDeltaMax > 64 && s10.directGcDeltaMax < 32
          ? `The plain-Node direct stream grows too (${f(s10.directDeltaMax, 1)} MiB at 10M), and calling \`gc()\` every 16 chunks keeps it flat (${f(s10.directGcDeltaMax, 1)} MiB): what accumulates is consumed native DuckDB data chunks (2 BIGINT columns = 16 B/row; the kernel's growth 1M→10M is ${f((grow * 2 ** 20) / 9e6, 1)} B/row) that are freed only when V8 collects their small JS wrappers, not rows the kernel keeps.`
          : `Plain-Node direct stream at 10M: ${f(s10.directDeltaMax, 1)} MiB; with \`gc()\` every 16 chunks: ${f(s10.directGcDeltaMax, 1)} MiB.`));
    }
    L.push(`Cross-check with VmHWM (catches peaks between samples; max peak − baseline, MiB): ${hwmNote}.`);
    L.push('');
  }
  L.push('Targets:');
  if (g) {
    const r1 = g.gateway.p50 / g.directMem.p50;
    const r2 = g.gateway.p50 / g.directFile.p50;
    const storage = g.directFile.p50 / g.directMem.p50;
    L.push(`- Gateway/direct ≤ 1.3x for the GROUP BY (p50), direct = the same query on the same data in a DuckDB file, as the warehouse is: **${r2.toFixed(2)}x** (${r2 <= 1.3 ? 'met' : 'NOT met'}). ` +
      `Against an in-memory copy: **${r1.toFixed(2)}x** (${r1 <= 1.3 ? 'within' : 'over'} 1.3x); part of that is storage, not the kernel: DuckDB scans its uncompressed in-memory tables faster than the compressed columns of a file (direct file ÷ direct mem = ${storage.toFixed(2)}x in this run).`);
    L.push(`- PRD: GROUP BY over 10M rows p95 ≤ 30 s: **${f(g.gateway.p95 / 1000, 2)} s**${quick ? ` (on ${fmtN(opts.factRows)} rows in this --quick run)` : ''} (${g.gateway.p95 <= 30000 ? 'met' : 'NOT met'}).`);
  }
  L.push('');
  L.push('Method:');
  L.push(`- Setup: \`node bin/workbench.js --port 0 --no-browser --token T --root-dir $TMP/root\` (fresh JUPYTER_* dirs; the warehouse is \`$TMP/root/warehouse.duckdb\`), \`POST /api/kernels {"name":"sql"}\`, channels over v1 framing, \`kernel_info_request\`. The cell \`${CREATE_SQL(opts.factRows)}\` ran once through the gateway (${f(R.setup && R.setup.createGatewayMs, 0)} ms); the direct side made the same table in memory (${f(R.setup && R.setup.createMemMs, 0)} ms) and in a file of its own (${f(R.setup && R.setup.createFileMs, 0)} ms). DuckDB runs with default settings (threads = 2) on both sides.`);
  L.push(`- 1: \`${GROUP_SQL}\`; ${opts.groupWarmup} warm-ups then ${opts.groupN} rounds, each round one gateway cell, one direct in-memory and one direct file call, rotating which goes first. The gateway cell carries 1000 rows rendered three ways (text/plain, text/html, application/vnd.dataresource+json; ${f((R.groupResultBytes || 0) / 1024, 0)} KiB content); the direct calls read 1000 rows via \`runAndReadAll\`. Results are checked (1000 groups, Σn = row count). Each round also runs \`${GROUP_ONE_SQL}\` through the gateway and direct (file): the same scan and aggregation with a 1-row result, so (gateway − direct) there is the per-cell overhead without rendering/shipping 1000 rows.`);
  L.push(`- 2: the kernel streams the result chunk by chunk and keeps the first ${MAX_ROWS} rows; as soon as it sees more, it sends them as a \`display_data\` ("more than ${MAX_ROWS} rows · counting the rest…"), counts the rest, then sends \`clear_output(wait)\` and the \`execute_result\` with the total, which replaces the preview without flicker. "First rows" = that preview reaching the client (time to first row); \`execute_result\` needs the whole scan, like the direct full stream; the direct first chunk is the floor. Checked: reported total = ${fmtN(opts.bigRows)}, truncated, ${MAX_ROWS} data rows.`);
  L.push(`- 3: PIDs from \`/proc\`: the gateway is the node process the benchmark spawned, the kernel its descendant whose command line contains \`sql-kernel.js\`. One fresh kernel per run (so earlier queries do not leave the allocator warm), one \`SELECT 1\` first; peak over the cell from send to idle. After each kernel run, a fresh plain \`node\` process streams the same SQL with \`@duckdb/node-api\` the way the kernel does (\`conn.stream\`, \`fetchChunk\` to the end, first ${MAX_ROWS} rows converted) and samples its own VmRSS the same way; once as is, once with \`--expose-gc\` and \`gc()\` every 16 chunks.`);
  L.push(`- 4: \`${TRIVIAL_SQL}\`, ${opts.trivialWarmup} warm-ups per path, then ${opts.trivialN} per path taking turns in blocks of ${opts.block}. The kernel runs every cell with the warehouse attached (held between cells), so "direct (file)" is the like-for-like floor.`);
  L.push('- Everything on 127.0.0.1; client offers no permessage-deflate; all loops bounded; the server\'s process group (and its kernels) is killed and temp dirs removed at the end.');
  L.push('');
  const loads = Object.entries(R.load || {});
  if (loads.length) {
    L.push(`Background load (CPU used by processes other than the benchmark, its server and kernels, as a share of the whole ${meta.nproc}-CPU machine; avg/max per 1 s) — each step first waits up to 30 s for a quiet machine: ` +
      loads.map(([k, l]) => `${k} ${pct(l.foreignAvg)}/${pct(l.foreignMax)}${l.quietBefore ? '' : ' (not quiet at start)'}`).join(', ') + '.');
    const noisy = loads.filter(([, l]) => l.foreignAvg > 0.1).map(([k]) => k);
    if (noisy.length) L.push(`**Warning:** other processes used more than 10% of the machine during ${noisy.join(', ')}; those numbers are noisy.`);
    L.push('');
  }
  if (R.errors.length) {
    L.push('Problems during this run:');
    L.push('');
    const clip = (s) => (s.length > 600 ? `${s.slice(0, 250)} … ${s.slice(-300)}` : s);
    for (const e of R.errors) L.push(`- ${clip(e.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|'))}`);
    L.push('');
  }
  L.push(END);
  return L.join('\n');
}

/** Replace only our section of BENCHMARKS.md (shared helper: re-read, then atomic replace). */
function writeSection(file, section) {
  require('./lib/report').writeMarkedSection(file, START, END, section);
}

// ---------------------------------------------------------------------------

async function main() {
  const meta = machineInfo();
  meta.command = `node bench/sql.js${argv.length ? ` ${argv.map((a) => a.replace(/^--(json|logs)=.*/, '--$1=FILE')).join(' ')}` : ''}`;
  const R = { meta, opts, errors: [], load: {} };
  log(`bench/sql: ${quick ? 'quick' : 'full'} run, facts table ${fmtN(opts.factRows)} rows`);
  if (!fs.existsSync(path.join(REPO, 'server', 'app', 'lib', 'cli.js')) || !fs.existsSync(path.join(REPO, 'kernels', 'sql', 'lib', 'main.js'))) {
    throw new Error('Workbench is not built (server/app/lib/cli.js or kernels/sql/lib/main.js missing): run `npm run build`');
  }
  let server;
  let k;
  let direct;
  const directDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-sql-direct-'));
  trackDir(directDir);
  try {
    server = await startWorkbench();
    R.serverCommand = server.command.replace(/[0-9a-f]{32}/, 'TOKEN').replace(/\/tmp\/wb-bench-[^/ ]+/g, '$TMP');
    if (!server.kernelspecs || !server.kernelspecs.kernelspecs || !server.kernelspecs.kernelspecs.sql) throw new Error(`no sql kernelspec (have ${Object.keys((server.kernelspecs && server.kernelspecs.kernelspecs) || {}).join(', ')})`);
    log(`server on ${server.baseUrl}`);

    R.setup = await step(R, 'setup', 'setup: kernel + facts table (gateway and direct)', async () => {
      k = await openSqlKernel(server);
      log(`  kernel ${k.id} (pid ${k.pid}, ${k.impl})`);
      const c = await execute(k.ws, CREATE_SQL(opts.factRows), { timeoutMs: 600000 });
      direct = await Direct.open(directDir, opts.factRows);
      return { createGatewayMs: c.total, createMemMs: direct.createMemMs, createFileMs: direct.createFileMs };
    });
    if (!R.setup) throw new Error('setup failed');

    R.groupBy = await step(R, '1 GROUP BY', `1 GROUP BY over ${fmtN(opts.factRows)} rows`, () => groupBy(k.ws, direct, R));
    R.trivial = await step(R, '4 SELECT 1', '4 SELECT 1 overhead', () => trivial(k.ws, direct));
    R.ttfr = await step(R, '2 1M-row result', `2 time to execute_result for ${fmtN(opts.bigRows)} rows`, () => timeToResult(k.ws, direct, R));

    await closeKernel(server, k);
    k = undefined;
    direct.close();
    direct = undefined;

    R.memory = await step(R, '3 memory', `3 RSS while ${opts.memSizes.map(fmtN).join(' / ')}-row results stream`, () => memory(server, R));
  } catch (e) {
    log(`FAILED: ${e.stack || e.message}`);
    R.errors.push(e.message);
  } finally {
    if (k && server) await closeKernel(server, k);
    if (direct) direct.close();
    if (server) {
      if (server.child.exited) R.errors.push('server exited during the run');
      if (server.log.issues.length) R.errors.push(`server logged ${server.log.issues.length}${server.log.issues.length >= 20 ? '+' : ''} warning/error line(s), e.g. ${server.log.issues.slice(0, 3).join(' | ')}`);
      R.serverLogTail = server.log.slice(-30);
      server.rest.close();
      await stopServer(server);
    }
    fs.rmSync(directDir, { recursive: true, force: true });
  }

  const section = renderSection(R);
  console.log(section);
  if (write) { writeSection(OUT, section); log(`wrote ${OUT}`); } else log('not writing BENCHMARKS.md (--quick without --write, or --no-write)');
  const jsonOut = value('json');
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(R, null, 2));
  process.exitCode = R.errors.length ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => killAllSync());
