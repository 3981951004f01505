#!/usr/bin/env node
// Real-time collaboration benchmark: Workbench's /api/collaboration rooms against a plain
// y-websocket 1.5 server (its bin/server.js: the same sync and awareness protocol, no
// persistence, no files), each with @jupyter/ydoc YNotebook clients over y-websocket.
//
//   node bench/collab.mjs [--iters=N] [--no-write]
//
// 1. Update latency: 20 clients in one notebook room; client 0 changes a cell's source,
//    time until client 1 sees it (N rounds after warm-up); p50/p99.
// 2. Memory per room: server RSS growth after opening 20 more rooms (one small notebook
//    and one client each), divided by 20.
// 3. Opening a 5 MB notebook: Workbench reads the file and builds the shared document
//    (PUT session -> first client synced with every cell); the plain server has no files,
//    so its row is the nearest thing: a client syncing the same document from a server
//    that already holds it (filled by another client first).
// Writes a section between <!-- bench:collab:start --> and <!-- bench:collab:end -->.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { YNotebook } from '@jupyter/ydoc';
import { WebsocketProvider } from 'y-websocket';

const require = createRequire(import.meta.url);
const { startWorkbench, stopServer, REPO } = require('./lib/servers');
const { median, percentile, now } = require('./lib/util');
const { killAllSync, spawnGroup, stopGroup } = require('./lib/procs');
const { machineInfo, writeMarkedSection } = require('./lib/report');

const argv = process.argv.slice(2);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const ITERS = Number(value('iters') || 200);
const write = !argv.includes('--no-write');
const START = '<!-- bench:collab:start -->';
const END = '<!-- bench:collab:end -->';

const nb = (cells) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
});

function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

function client(url, room, params) {
  const doc = new YNotebook();
  const provider = new WebsocketProvider(url, room, doc.ydoc, { WebSocketPolyfill: WebSocket, disableBc: true, params, awareness: doc.awareness });
  return { doc, provider, destroy: () => { provider.destroy(); doc.dispose(); } };
}

function until(c, cond, ms = 60000) {
  return new Promise((resolve, reject) => {
    const check = () => { if (cond()) { c.doc.ydoc.off('update', check); clearTimeout(t); resolve(); } };
    const t = setTimeout(() => { c.doc.ydoc.off('update', check); reject(new Error('timed out')); }, ms);
    c.doc.ydoc.on('update', check);
    check();
  });
}

const synced = (c) => new Promise((resolve) => {
  if (c.provider.synced) return resolve();
  const on = (s) => { if (s) { c.provider.off('sync', on); resolve(); } };
  c.provider.on('sync', on);
});

/** Workbench: a room per notebook file (PUT session), clients with token and sessionId. */
async function workbenchTarget(root) {
  const s = await startWorkbench(['--root-dir', root]);
  const base = `http://127.0.0.1:${s.port}/`;
  return {
    label: 'Workbench',
    server: s,
    pid: s.child.pid,
    async room(name, notebook) {
      if (notebook) writeFileSync(join(root, name), JSON.stringify(notebook));
      const r = await fetch(`${base}api/collaboration/session/${name}`, { method: 'PUT', headers: { Authorization: `token ${s.token}` }, body: JSON.stringify({ format: 'json', type: 'notebook' }) });
      const m = await r.json();
      return { url: `ws://127.0.0.1:${s.port}/api/collaboration/room`, room: `json:notebook:${m.fileId}`, params: { token: s.token, sessionId: m.sessionId } };
    },
    stop: () => stopServer(s),
  };
}

/** Plain y-websocket server: any room name; documents exist only while clients fill them. */
async function plainTarget() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawnGroup(process.execPath, [join(dirname(require.resolve('y-websocket/package.json')), 'bin', 'server.js')], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) } });
  for (let i = 0; ; i++) {
    try { await fetch(`http://127.0.0.1:${port}/`); break; } catch { if (i > 200) throw new Error('y-websocket server did not start'); await new Promise((r) => setTimeout(r, 50)); }
  }
  return {
    label: 'plain y-websocket',
    pid: child.pid,
    async room(name, notebook, fill = true) {
      const r = { url: `ws://127.0.0.1:${port}`, room: name, params: {} };
      if (notebook && fill) {
        // The plain server has no file: a first client brings the content.
        const c = client(r.url, r.room, r.params);
        await synced(c);
        c.doc.fromJSON(notebook);
        r.filler = c;
      }
      return r;
    },
    stop: () => stopGroup(child, 5000),
  };
}

async function latency(t) {
  const r = await t.room('latency.ipynb', nb(['x = 0', '# notes', 'y = 1']));
  const clients = Array.from({ length: 20 }, () => client(r.url, r.room, r.params));
  await Promise.all(clients.map(synced));
  const [a, b] = clients;
  await until(b, () => b.doc.cells.length === 3);
  const times = [];
  for (let i = 0; i < ITERS + 20; i++) {
    const marker = `x = ${i + 1}`;
    const t0 = now();
    const seen = until(b, () => b.doc.cells[0]?.getSource() === marker);
    a.doc.cells[0].setSource(marker);
    await seen;
    if (i >= 20) times.push(now() - t0);
  }
  for (const c of clients) c.destroy();
  r.filler?.destroy();
  return { p50: median(times), p99: percentile(times, 0.99) };
}

async function memoryPerRoom(t) {
  const before = rss(t.pid);
  const opened = [];
  for (let i = 0; i < 20; i++) {
    const r = await t.room(`mem-${i}.ipynb`, nb(Array.from({ length: 20 }, (_, j) => `value_${j} = ${j} * ${i}`)));
    const c = client(r.url, r.room, r.params);
    await synced(c);
    await until(c, () => c.doc.cells.length === 20);
    opened.push(c, r.filler);
  }
  if (global.gc) global.gc();
  const after = rss(t.pid);
  for (const c of opened) c?.destroy();
  return (after - before) / 20;
}

async function openBig(t) {
  const cells = Array.from({ length: 500 }, (_, i) => `# cell ${i}\n` + `total_${i} = sum([${'1, '.repeat(3300)}1])\n`);
  const big = nb(cells);
  const bytes = JSON.stringify(big).length;
  const t0 = now();
  const r = await t.room('big.ipynb', big);
  const tFill = now();
  const c = client(r.url, r.room, r.params);
  await synced(c);
  await until(c, () => c.doc.cells.length === 500, 120000);
  const total = now() - t0;
  c.destroy();
  r.filler?.destroy();
  return { bytes, total, prepare: tFill - t0 };
}

async function main() {
  const info = machineInfo(REPO);
  const root = mkdtempSync(join(tmpdir(), 'wb-bench-collab-'));
  const results = {};
  for (const make of [() => workbenchTarget(root), plainTarget]) {
    const t = await make();
    try {
      const lat = await latency(t);
      const mem = await memoryPerRoom(t);
      const big = await openBig(t);
      results[t.label] = { lat, mem, big };
      console.log(t.label, JSON.stringify(results[t.label]));
    } finally {
      await t.stop();
    }
  }
  killAllSync();
  const w = results.Workbench;
  const p = results['plain y-websocket'];
  const f = (x, d = 1) => x.toFixed(d);
  const L = [START, '## Real-time collaboration: Workbench rooms vs a plain y-websocket server', ''];
  L.push(`Generated by \`node bench/collab.mjs --iters=${ITERS}\` on ${info.date}. Machine: ${info.nproc} CPUs, ${info.cpu}, ${info.memGiB} GiB RAM. Node ${info.node}. Clients: @jupyter/ydoc YNotebook over y-websocket 1.5 \`WebsocketProvider\` (what JupyterLab's docprovider uses), in the benchmark's process; servers on 127.0.0.1. Baseline: y-websocket 1.5's own \`bin/server.js\` (same sync/awareness protocol, in memory, no files, no persistence, no auth).`);
  L.push('');
  L.push('| Measurement | Workbench | plain y-websocket | WB/plain |');
  L.push('|---|---:|---:|---:|');
  L.push(`| 1. Update latency, 20 clients in the room, client 0 → client 1: p50 (ms; ${ITERS} edits) | ${f(w.lat.p50, 2)} | ${f(p.lat.p50, 2)} | ${f(w.lat.p50 / p.lat.p50, 2)}x |`);
  L.push(`| 1. same, p99 (ms) | ${f(w.lat.p99, 2)} | ${f(p.lat.p99, 2)} | ${f(w.lat.p99 / p.lat.p99, 2)}x |`);
  L.push(`| 2. Server memory per open room (20-cell notebook, one client; MiB, RSS growth / 20 rooms) | ${f(w.mem, 2)} | ${f(p.mem, 2)} | ${f(w.mem / p.mem, 2)}x |`);
  L.push(`| 3. Open a ${f(w.big.bytes / 1e6, 1)} MB notebook (500 cells): until a client holds every cell (ms) | ${f(w.big.total, 0)} | ${f(p.big.total, 0)} | ${f(w.big.total / p.big.total, 2)}x |`);
  L.push('');
  L.push('What the rows include: Workbench persists every update (SQLite, `documents.db`), checks the session id, and for row 3 reads and validates the file and builds the shared document from it (with its file id); the plain server keeps documents in memory only, and for row 3 its time includes a first client filling the document (there is no file to read), then the measured client syncing it. Row 2 on the plain server has no file either: a first client fills each room.');
  L.push(END);
  const section = L.join('\n');
  console.log(section);
  if (write) writeMarkedSection(join(REPO, 'BENCHMARKS.md'), START, END, section);
}

main().catch((err) => { console.error(err); killAllSync(); process.exit(1); });
