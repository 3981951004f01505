#!/usr/bin/env node
'use strict';
// Side-by-side Contents API benchmark: Workbench vs Debian's jupyter_server 1.23,
// each on its own fresh copy of one generated workspace, one server after the other.
//
//   node bench/contents.js [--quick] [--only=workbench|jupyter] [--no-write|--write]
//                          [--rounds=R] [--json=FILE] [--logs=DIR] [--profile=DIR]
//
// 1. GET /api/contents/many?content=1   (directory of 5,000 tiny .txt/.ipynb/.csv files)
// 2. GET /api/contents/big.ipynb?content=1   (~20 MB nbformat 4.5 notebook)
// 3. PUT /api/contents/big.ipynb   {type: 'notebook', format: 'json', content}, two versions alternating
//
// A full run writes its section between <!-- bench:contents:start --> and
// <!-- bench:contents:end --> in BENCHMARKS.md (appended if the markers are missing);
// --quick (1,000 files, 5 MB notebook, N=3) only prints unless --write.
// --rounds=R (default 1): the servers take turns R times (ABBA order), each round on a fresh
// copy with its own warm-ups and ceil(N/R) timed requests; samples are pooled (for shared machines).
// --profile=DIR runs Workbench under `node --cpu-prof --cpu-prof-dir=DIR` (never writes BENCHMARKS.md).
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
// Read-only helpers shared with bench/run.js (process groups, stats, background load).
const { spawnGroup, stopGroup, killAllSync, trackDir, treeCpuSeconds } = require('./lib/procs');
const { now, sleep, percentile, median, freePorts } = require('./lib/util');
const { waitMachineQuiet } = require('./lib/load');

const REPO = path.resolve(__dirname, '..');
const OUT = path.join(REPO, 'BENCHMARKS.md');
const START = '<!-- bench:contents:start -->';
const END = '<!-- bench:contents:end -->';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const known = /^--(quick|write|no-write|only=(workbench|jupyter)|rounds=([1-9]|10)|json=.+|logs=.+|profile=.+|help)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || flag('help')) {
  console.error(`usage: node bench/contents.js [--quick] [--only=workbench|jupyter] [--no-write|--write] [--rounds=R] [--json=FILE] [--logs=DIR] [--profile=DIR]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}
const quick = flag('quick');
const only = value('only');
const profileDir = value('profile') && path.resolve(value('profile'));
const rounds = Number(value('rounds') || 1);
const opts = quick
  ? { files: 1000, cells: 50, listWarmup: 2, listN: 3, openWarmup: 1, openN: 3, saveWarmup: 1, saveN: 3 }
  : { files: 5000, cells: 200, listWarmup: 2, listN: 20, openWarmup: 1, openN: 10, saveWarmup: 1, saveN: 10 };
opts.cellSourceBytes = 88_000; // source characters per code cell (plus a small stream output): a 20 MiB file at 200 cells
opts.outputLines = 20; // stdout lines per cell
const write = !profileDir && (flag('write') || (!quick && !flag('no-write')));
const WB_CONFIG = { contents: { autosave_debounce_s: 3600, autosave_max_delay_s: 3600 } };

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`\n${sig}: cleaning up`); killAllSync(); process.exit(130); });
const WATCHDOG_MIN = (quick ? 10 : 20) + 10 * rounds;
setTimeout(() => { console.error(`watchdog: still running after ${WATCHDOG_MIN} min, giving up`); killAllSync(); process.exit(3); }, WATCHDOG_MIN * 60000).unref();

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------- workspace

/** Small deterministic PRNG (mulberry32), so both servers and all runs see the same bytes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['data', 'frame', 'value', 'result', 'model', 'loss', 'batch', 'index', 'total', 'weights', 'grad', 'step', 'row', 'col', 'mean', 'std', 'path', 'config'];
function codeLine(r) {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  const n = () => Math.floor(r() * 10000);
  switch (Math.floor(r() * 5)) {
    case 0: return `${w()}_${n()} = compute("${w()}", ${n()}, scale=${(r() * 10).toFixed(3)})  # ${w()} ${w()}\n`;
    case 1: return `    for ${w()} in range(${n()}):\n`;
    case 2: return `        ${w()}[${n()}] += ${w()}_${n()} * ${(r()).toFixed(6)} - ${w()}.${w()}(${n()})\n`;
    case 3: return `print(f"${w()} {${w()}_${n()}:.4f} ${w()}={${w()}!r}")\n`;
    default: return `def ${w()}_${w()}_${n()}(${w()}, ${w()}=None, *args, **kwargs):  # ${w()} ${w()} ${w()}\n`;
  }
}

/** Keys sorted recursively, as nbformat writes them. */
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

/**
 * A valid nbformat 4.5 notebook of `cells` code cells, each with ≈ cellSourceBytes of
 * multi-line source (as a list of lines, the way Jupyter writes it) plus one stdout
 * stream output. Written like nbformat does: sorted keys, indent 1, trailing newline.
 */
function makeNotebook(cells, cellSourceBytes, outputLines) {
  const r = rng(20240601);
  const nb = {
    cells: [],
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python', version: '3.11.2', mimetype: 'text/x-python', file_extension: '.py' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  let sourceBytes = 0;
  let sourceLines = 0;
  for (let i = 0; i < cells; i++) {
    const out = [];
    for (let j = 0; j < outputLines; j++) out.push(`step ${j}: loss=${(r() * 2).toFixed(6)} acc=${r().toFixed(4)}\n`);
    const src = [];
    let n = 0;
    while (n < cellSourceBytes) {
      const l = codeLine(r);
      src.push(l);
      n += l.length;
    }
    src[src.length - 1] = src[src.length - 1].replace(/\n$/, ''); // last line without newline, like Jupyter
    sourceBytes += src.reduce((s, l) => s + l.length, 0);
    sourceLines += src.length;
    nb.cells.push({
      cell_type: 'code',
      execution_count: i + 1,
      id: `cell-${String(i).padStart(4, '0')}`,
      metadata: {},
      outputs: [{ name: 'stdout', output_type: 'stream', text: out }],
      source: src,
    });
  }
  return { nb, text: `${JSON.stringify(sortKeys(nb), null, 1)}\n`, sourceBytes, sourceLines };
}

/** The API form of a notebook (multi-line lists joined into strings), as both servers return and accept it. */
function toApi(nb) {
  const c = structuredClone(nb);
  const join = (v) => (Array.isArray(v) ? v.join('') : v);
  for (const cell of c.cells) {
    cell.source = join(cell.source);
    for (const o of cell.outputs || []) if ('text' in o) o.text = join(o.text);
  }
  return c;
}

const EXT = ['.txt', '.ipynb', '.csv'];
function fileBody(i, ext) {
  if (ext === '.csv') return `a,b\n${i},${i % 7}\n`;
  if (ext === '.ipynb') return '{}\n';
  return `note ${i}\n`;
}

/** The template workspace: many/ (N tiny files) and big.ipynb. Copied fresh for each server. */
function makeTemplate(dir) {
  const many = path.join(dir, 'many');
  fs.mkdirSync(many, { recursive: true });
  const counts = { '.txt': 0, '.ipynb': 0, '.csv': 0, minBytes: Infinity, maxBytes: 0 };
  for (let i = 0; i < opts.files; i++) {
    const ext = EXT[i % 3];
    counts[ext]++;
    const base = ['notes', 'analysis', 'table'][i % 3];
    const body = fileBody(i, ext);
    counts.minBytes = Math.min(counts.minBytes, body.length);
    counts.maxBytes = Math.max(counts.maxBytes, body.length);
    fs.writeFileSync(path.join(many, `${base}-${String(i).padStart(5, '0')}${ext}`), body);
  }
  const nb = makeNotebook(opts.cells, opts.cellSourceBytes, opts.outputLines);
  fs.writeFileSync(path.join(dir, 'big.ipynb'), nb.text);
  // Two save versions, each slightly different from the other and from the file.
  const versions = ['A', 'B'].map((tag) => {
    const c = toApi(nb.nb);
    c.metadata.bench = { save: tag };
    c.cells[0].source += `\n# saved version ${tag}`;
    const body = Buffer.from(JSON.stringify({ type: 'notebook', format: 'json', content: c }));
    return { tag, body };
  });
  return { counts, nbBytes: Buffer.byteLength(nb.text), sourceBytes: nb.sourceBytes, sourceLines: nb.sourceLines, versions, firstCellSourceLen: nb.nb.cells[0].source.join('').length };
}

// ---------------------------------------------------------------- servers

function sandbox(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wb-bench-contents-${label}-`));
  trackDir(dir);
  const sub = (n) => { const p = path.join(dir, n); fs.mkdirSync(p, { recursive: true }); return p; };
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: sub('config'),
    JUPYTER_DATA_DIR: sub('data'),
    JUPYTER_RUNTIME_DIR: sub('runtime'),
    IPYTHONDIR: sub('ipython'),
    WORKBENCH_DATA_DIR: sub('wbdata'),
  };
  return { dir, rootDir: path.join(dir, 'root'), env };
}

/** jupyter_server warns on every open/save of a notebook with outputs that its notary never signed: expected here. */
const EXPECTED = /Notebook big\.ipynb is not trusted/;

function isIssue(line) {
  if (EXPECTED.test(line)) return false;
  if (/^\[(W|E|C) /.test(line)) return true;
  if (line.startsWith('{')) { try { return JSON.parse(line).level >= 40; } catch { return false; } }
  return /Traceback|Error:/.test(line);
}

function collect(child, label, onLine) {
  const out = { tail: [], issues: [], all: [] };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        out.tail.push(line);
        if (out.tail.length > 100) out.tail.shift();
        if (out.all.length < 50000) out.all.push(line);
        if (isIssue(line) && out.issues.length < 20) out.issues.push(line.slice(0, 300));
        if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${line}\n`);
        if (onLine) onLine(line);
      }
    });
  }
  return out;
}

/** Spawn (own process group), resolve the port from a log line, bounded by timeoutMs. */
function startProcess(server, cmd, args, env, cwd, portFromLine, timeoutMs = 60000) {
  server.child = spawnGroup(cmd, args, { env, cwd });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server.label} not ready after ${timeoutMs} ms:\n${server.log.tail.slice(-20).join('\n')}`)), timeoutMs);
    server.log = collect(server.child, server.kind, (line) => {
      const port = portFromLine(line);
      if (port) { clearTimeout(timer); resolve(port); }
    });
    server.child.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`${server.label} exited early (code ${code}, signal ${sig}):\n${server.log.tail.slice(-20).join('\n')}`)); });
  });
}

async function startWorkbench(sb) {
  const token = crypto.randomBytes(16).toString('hex');
  const cfg = path.join(sb.dir, 'workbench-config.json');
  fs.writeFileSync(cfg, JSON.stringify(WB_CONFIG));
  const args = [path.join(REPO, 'bin', 'workbench.js'), '--port', '0', '--no-browser', '--token', token, '--root-dir', sb.rootDir, '--config', cfg];
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = { label: 'Workbench', kind: 'workbench', token, sandbox: sb };
  server.command = `node bin/workbench.js ${args.slice(1).join(' ').replace(token, 'T').split(sb.dir).join('$TMP')}`;
  server.port = await startProcess(server, process.execPath, [...nodeArgs, ...args], sb.env, sb.rootDir, (line) => {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=/.exec(line);
    return m && Number(m[1]);
  });
  return server;
}

async function startJupyter(sb) {
  const token = crypto.randomBytes(16).toString('hex');
  const [port] = await freePorts(1);
  const args = ['--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1', `--port=${port}`, '--ServerApp.port_retries=0', `--ServerApp.token=${token}`, `--ServerApp.root_dir=${sb.rootDir}`];
  const server = { label: 'jupyter_server', kind: 'jupyter', token, sandbox: sb };
  server.command = `jupyter-server ${args.join(' ').replace(token, 'T').replace(`--port=${port}`, '--port=P').split(sb.dir).join('$TMP')}`;
  let running = false;
  server.port = await startProcess(server, 'jupyter-server', args, sb.env, sb.rootDir, (line) => {
    if (/is running at/.test(line)) running = true;
    return running && line.includes(`http://127.0.0.1:${port}/`) ? port : undefined;
  });
  return server;
}

// ---------------------------------------------------------------- client

class Client {
  constructor(port, token) {
    this.port = port;
    this.token = token;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Timed request: clock runs from just before sending until the last body byte arrived (no client JSON parsing inside). */
  request(method, urlPath, body, timeoutMs = 120000) {
    return new Promise((resolve, reject) => {
      const headers = { Authorization: `token ${this.token}`, Accept: 'application/json' };
      if (body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = body.length; }
      const t0 = now();
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path: urlPath, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ ms: now() - t0, status: res.statusCode, buf: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body || undefined);
    });
  }

  close() { this.agent.destroy(); }
}

function parse(r, what) {
  try { return JSON.parse(r.buf.toString('utf8')); } catch (e) { throw new Error(`${what}: response is not JSON (${r.buf.length} bytes): ${e.message}`); }
}

function expectStatus(r, statuses, what) {
  if (!statuses.includes(r.status)) throw new Error(`${what} -> HTTP ${r.status}: ${r.buf.toString('utf8').slice(0, 300)}`);
}

/**
 * Machine load while a step runs, split in two: CPU of processes other than this
 * benchmark and its server ("foreign"), and hypervisor steal (CPU the VM wanted but
 * the host did not give it). Shares of the whole machine, from /proc/stat.
 */
function cpuSample() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { run: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal, ours: treeCpuSeconds(process.pid) * 100 };
}
function shares(a, b) {
  const dt = b.total - a.total;
  if (dt <= 0) return { foreign: 0, steal: 0 };
  return { foreign: Math.max(0, (b.run - a.run) - (b.ours - a.ours)) / dt, steal: (b.steal - a.steal) / dt };
}
class LoadMonitor {
  constructor() {
    this.first = cpuSample();
    this.max = { foreign: 0, steal: 0 };
    let prev = this.first;
    this.timer = setInterval(() => {
      const cur = cpuSample();
      const s = shares(prev, cur);
      this.max.foreign = Math.max(this.max.foreign, s.foreign);
      this.max.steal = Math.max(this.max.steal, s.steal);
      prev = cur;
    }, 1000);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
    const s = shares(this.first, cpuSample());
    return { foreignAvg: s.foreign, foreignMax: Math.max(this.max.foreign, s.foreign), stealAvg: s.steal, stealMax: Math.max(this.max.steal, s.steal) };
  }
}

/** Bounded wait until the server process tree uses < 10% of one CPU over 0.5 s. */
async function waitServerQuiet(pid, timeoutMs = 30000) {
  const t0 = Date.now();
  let prev = treeCpuSeconds(pid);
  for (;;) {
    await sleep(500);
    const cur = treeCpuSeconds(pid);
    if ((cur - prev) / 0.5 < 0.1) return true;
    prev = cur;
    if (Date.now() - t0 > timeoutMs) return false;
  }
}

function stats(ms) {
  return { n: ms.length, p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), median: median(ms), min: Math.min(...ms), max: Math.max(...ms), runs: ms.map((x) => Number(x.toFixed(2))) };
}

// ---------------------------------------------------------------- measurements

async function measure(server, res, key, name, { warmup, n, once, check }) {
  const q = await waitMachineQuiet({ timeoutMs: quick ? 10000 : 60000 });
  const serverQuiet = await waitServerQuiet(server.child.pid);
  log(`  ${name} (warm-up ${warmup}, N=${n})${q.quiet ? '' : ` [machine still ${(100 * q.busy).toFixed(0)}% busy]`}${serverQuiet ? '' : ' [server still busy]'}`);
  for (let i = 0; i < warmup; i++) check(await once(i), i);
  const mon = new LoadMonitor();
  const cpu0 = treeCpuSeconds(server.child.pid);
  const ms = [];
  let bytes = 0;
  try {
    for (let i = 0; i < n; i++) {
      const r = await once(warmup + i);
      ms.push(r.ms);
      bytes = r.buf.length;
      check(r, warmup + i);
    }
  } finally {
    const cpu = treeCpuSeconds(server.child.pid) - cpu0;
    res.load[key] = { ...mon.stop(), quietBefore: q.quiet, serverQuietBefore: serverQuiet };
    if (ms.length) res[key] = { ms, responseBytes: bytes, cpuS: cpu };
  }
}

/** One round on one server: fresh copy of the workspace, start, three steps, stop. n = timed requests per step. */
async function benchServer(kind, tpl, tplDir, n) {
  const res = { errors: [], load: {} };
  const sb = sandbox(kind);
  let server;
  let client;
  try {
    fs.cpSync(tplDir, sb.rootDir, { recursive: true });
    log(`${kind}: starting (fresh copy of the workspace in ${sb.rootDir})`);
    server = kind === 'workbench' ? await startWorkbench(sb) : await startJupyter(sb);
    res.command = server.command;
    log(`${kind}: listening on 127.0.0.1:${server.port}`);
    client = new Client(server.port, server.token);

    const step = async (key, name, o) => {
      try {
        await measure(server, res, key, name, o);
      } catch (e) {
        log(`  ${name} FAILED: ${e.message}`);
        res.errors.push(`${name}: ${e.message}`);
        res.failedSteps = (res.failedSteps || 0) + 1;
      }
    };

    await step('list', `1 GET /api/contents/many?content=1 (${opts.files} files)`, {
      warmup: opts.listWarmup,
      n: n.list,
      once: () => client.request('GET', '/api/contents/many?content=1'),
      check: (r) => {
        expectStatus(r, [200], 'GET many');
        const m = parse(r, 'GET many');
        if (!Array.isArray(m.content) || m.content.length !== opts.files) throw new Error(`GET many listed ${Array.isArray(m.content) ? m.content.length : typeof m.content} entries, expected ${opts.files}`);
        const types = {};
        for (const e of m.content) types[e.type] = (types[e.type] || 0) + 1;
        res.listTypes = types;
      },
    });

    await step('open', `2 GET /api/contents/big.ipynb?content=1 (${(tpl.nbBytes / 1e6).toFixed(1)} MB)`, {
      warmup: opts.openWarmup,
      n: n.open,
      once: () => client.request('GET', '/api/contents/big.ipynb?content=1'),
      check: (r) => {
        expectStatus(r, [200], 'GET big.ipynb');
        const m = parse(r, 'GET big.ipynb');
        if (m.type !== 'notebook' || m.format !== 'json') throw new Error(`GET big.ipynb: type ${m.type}, format ${m.format}`);
        if (m.message) res.openMessage = String(m.message).slice(0, 300);
        const cells = m.content && m.content.cells;
        if (!Array.isArray(cells) || cells.length !== opts.cells) throw new Error(`GET big.ipynb: ${Array.isArray(cells) ? cells.length : 'no'} cells, expected ${opts.cells}`);
        if (typeof cells[0].source !== 'string' || cells[0].source.length !== tpl.firstCellSourceLen) throw new Error(`GET big.ipynb: first cell source is ${typeof cells[0].source} of length ${cells[0].source.length}, expected a string of ${tpl.firstCellSourceLen}`);
      },
    });

    await step('save', `3 PUT /api/contents/big.ipynb (two versions alternating)`, {
      warmup: opts.saveWarmup,
      n: n.save,
      once: (i) => client.request('PUT', '/api/contents/big.ipynb', tpl.versions[i % 2].body),
      check: (r) => {
        expectStatus(r, [200], 'PUT big.ipynb');
        const m = parse(r, 'PUT big.ipynb');
        if (m.path !== 'big.ipynb' || m.type !== 'notebook') throw new Error(`PUT big.ipynb answered ${JSON.stringify({ path: m.path, type: m.type })}`);
        if (m.message) res.saveMessage = String(m.message).slice(0, 300);
      },
    });

    // What ended up on disk: the last version sent, readable again through the API.
    const last = tpl.versions[(opts.saveWarmup + n.save - 1) % 2];
    const disk = fs.readFileSync(path.join(sb.rootDir, 'big.ipynb'));
    res.savedFile = { bytes: disk.length, sha256: crypto.createHash('sha256').update(disk).digest('hex') };
    const back = parse(await client.request('GET', '/api/contents/big.ipynb?content=1'), 'GET after save');
    if (!back.content || !back.content.metadata || !back.content.metadata.bench || back.content.metadata.bench.save !== last.tag) {
      res.errors.push(`after the saves, GET big.ipynb does not show version ${last.tag}`);
    }
    const leftovers = fs.readdirSync(sb.rootDir).filter((n) => n.startsWith('.~') || n.endsWith('.invalid'));
    if (leftovers.length) res.errors.push(`temp files left in the root: ${leftovers.join(', ')}`);
  } catch (e) {
    log(`${kind}: ${e.message}`);
    res.errors.push(e.message);
    res.failedSteps = (res.failedSteps || 0) + 1;
  } finally {
    if (client) client.close();
    if (server && server.child) {
      if (server.child.exited) res.errors.push('server exited during the run');
      res.serverLogTail = server.log.tail.slice(-30);
      if (server.log.issues.length) res.logIssues = server.log.issues;
      if (value('logs')) {
        fs.mkdirSync(value('logs'), { recursive: true });
        fs.writeFileSync(path.join(value('logs'), `contents-${kind}.log`), `${server.log.all.join('\n')}\n`);
      }
      await stopGroup(server.child, profileDir ? 30000 : 8000);
    }
    try { fs.rmSync(sb.dir, { recursive: true, force: true }); } catch { /* ignore */ }
    log(`${kind}: stopped`);
  }
  return res;
}

/** Pool the rounds of one server: all timed samples together, CPU per request over all of them. */
function pool(rs) {
  const out = { errors: [], load: {}, rounds: rs.length };
  for (const [i, r] of rs.entries()) {
    for (const e of r.errors) out.errors.push(rs.length > 1 ? `round ${i + 1}: ${e}` : e);
    for (const k of ['command', 'listTypes', 'openMessage', 'saveMessage', 'savedFile', 'serverLogTail']) if (r[k] !== undefined) out[k] = r[k];
    if (r.logIssues) out.logIssues = [...(out.logIssues || []), ...r.logIssues].slice(0, 20);
    if (r.failedSteps) out.failedSteps = (out.failedSteps || 0) + r.failedSteps;
  }
  for (const key of ['list', 'open', 'save']) {
    const parts = rs.map((r) => r[key]).filter(Boolean);
    if (parts.length) {
      const ms = parts.flatMap((p) => p.ms);
      const cpu = parts.reduce((a, p) => a + p.cpuS, 0);
      out[key] = { ...stats(ms), responseBytes: parts[parts.length - 1].responseBytes, serverCpuMsPerReq: (1000 * cpu) / ms.length, perRoundP50: parts.map((p) => Number(percentile(p.ms, 0.5).toFixed(1))) };
    }
    const loads = rs.map((r) => r.load[key]).filter(Boolean);
    if (loads.length) {
      out.load[key] = {
        foreignAvg: loads.reduce((a, l) => a + l.foreignAvg, 0) / loads.length,
        foreignMax: Math.max(...loads.map((l) => l.foreignMax)),
        stealAvg: loads.reduce((a, l) => a + l.stealAvg, 0) / loads.length,
        stealMax: Math.max(...loads.map((l) => l.stealMax)),
        quietBefore: loads.every((l) => l.quietBefore),
      };
    }
  }
  return out;
}

// ---------------------------------------------------------------- report

function sh(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15000 }).trim(); } catch { return '?'; }
}

function machineInfo() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model || '?';
  // Uncommitted changes that could affect the server (bench/, BENCHMARKS.md and tests do not).
  const dirty = sh('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no', '--', 'server', 'bin', 'kernels', ':(exclude)*.test.ts']);
  return {
    date: new Date().toISOString(),
    nproc: sh('nproc', []),
    cpu,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    python: sh('/usr/bin/python3', ['--version']),
    jupyterServer: sh('jupyter-server', ['--version']),
    nbformat: sh('/usr/bin/python3', ['-c', 'import nbformat; print(nbformat.__version__)']),
    tmpFs: sh('df', ['--output=fstype', os.tmpdir()]).split('\n').pop(),
    commit: sh('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']) + (dirty && dirty !== '?' ? ' (+ uncommitted changes in server/)' : ''),
  };
}

const f = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));

function render(results) {
  const { meta, tpl, servers } = results;
  const wb = servers.workbench || {};
  const js = servers.jupyter || {};
  const L = [START, '## Contents API: Workbench vs jupyter_server', ''];
  L.push(`Generated by \`${meta.command}\` on ${meta.date}${quick ? ' (**--quick smoke run, small N**)' : ''}.`);
  L.push('');
  L.push(`Machine: ${meta.nproc} CPUs (\`nproc\`), ${meta.cpu}, ${meta.memGiB} GiB RAM, ${meta.os}, temp dirs on ${meta.tmpFs}. ` +
    `Node ${meta.node}; ${meta.python} with jupyter_server ${meta.jupyterServer} (Debian), nbformat ${meta.nbformat}. Workbench commit ${meta.commit}.`);
  L.push('');
  const mb = (tpl.nbBytes / 2 ** 20).toFixed(1);
  L.push('| Measurement | Workbench | jupyter_server | WB/JS | target WB/JS < 1 |');
  L.push('|---|---:|---:|---:|:---:|');
  const row = (name, a, b, d = 1, target = true) => {
    const r = a > 0 && b > 0 ? a / b : undefined;
    L.push(`| ${name} | ${f(a, d)} | ${f(b, d)} | ${r === undefined ? '—' : `${r.toFixed(2)}x`} | ${!target || r === undefined ? '' : r < 1 ? 'met' : '**not met**'} |`);
  };
  const g = (s, k, p) => s[k] && s[k][p];
  const nOf = (k) => g(wb, k, 'n') || g(js, k, 'n') || '—';
  row(`1. List \`many/\` (${opts.files.toLocaleString('en-US')} files), \`GET /api/contents/many?content=1\`, p50 (ms; N=${nOf('list')})`, g(wb, 'list', 'p50'), g(js, 'list', 'p50'));
  row('1. … p99 (ms)', g(wb, 'list', 'p99'), g(js, 'list', 'p99'));
  row(`2. Open \`big.ipynb\` (${mb} MiB), \`GET /api/contents/big.ipynb?content=1\`, p50 (ms; N=${nOf('open')})`, g(wb, 'open', 'p50'), g(js, 'open', 'p50'));
  row(`3. Save \`big.ipynb\`, \`PUT /api/contents/big.ipynb\`, p50 (ms; N=${nOf('save')})`, g(wb, 'save', 'p50'), g(js, 'save', 'p50'));
  row('  ↳ 1. server CPU per listing (ms)', g(wb, 'list', 'serverCpuMsPerReq'), g(js, 'list', 'serverCpuMsPerReq'), 0, false);
  row('  ↳ 2. server CPU per open (ms)', g(wb, 'open', 'serverCpuMsPerReq'), g(js, 'open', 'serverCpuMsPerReq'), 0, false);
  row('  ↳ 3. server CPU per save (ms)', g(wb, 'save', 'serverCpuMsPerReq'), g(js, 'save', 'serverCpuMsPerReq'), 0, false);
  row('  ↳ 1. listing response (KB)', g(wb, 'list', 'responseBytes') / 1e3, g(js, 'list', 'responseBytes') / 1e3, 0, false);
  row('  ↳ 2. notebook response (MB)', g(wb, 'open', 'responseBytes') / 1e6, g(js, 'open', 'responseBytes') / 1e6, 2, false);
  L.push('');
  L.push('Method:');
  L.push(`- Workspace, generated once (deterministic) and copied fresh into each server's own root dir just before it starts: \`many/\` with ${opts.files.toLocaleString('en-US')} files of ${tpl.counts.minBytes}–${tpl.counts.maxBytes} bytes (${tpl.counts['.txt']} \`.txt\`, ${tpl.counts['.ipynb']} \`.ipynb\` (\`{}\`), ${tpl.counts['.csv']} \`.csv\`), and \`big.ipynb\`: a valid nbformat 4.5 notebook of ${tpl.nbBytes.toLocaleString('en-US')} bytes, ${opts.cells} code cells, each with ~${Math.round(tpl.sourceBytes / opts.cells / 1000)} KB of Python-like source (≈${Math.round(tpl.sourceLines / opts.cells).toLocaleString('en-US')} lines) and a ${opts.outputLines}-line stdout stream output, written the way nbformat writes (sorted keys, indent 1, sources as line lists).`);
  L.push(`- One keep-alive \`http.Agent\` connection per server, requests one at a time, \`Authorization: token …\`, 127.0.0.1 only. Time = from sending the request until the last response byte arrived; the client parses and checks every response outside the clock (listing has ${opts.files} entries; notebook has ${opts.cells} cells, the expected first source and no validation \`message\`; save answers 200 with the model). p50/p99 are nearest-rank.`);
  const nr = results.rounds.length;
  const per = (k) => (nr > 1 ? ` per round (${nOf(k)} in all)` : '');
  L.push(`- 1: ${opts.listWarmup} warm-up + ${Math.ceil(opts.listN / nr)} timed${per('list')}. 2: ${opts.openWarmup} warm-up + ${Math.ceil(opts.openN / nr)} timed${per('open')}. 3: ${opts.saveWarmup} warm-up + ${Math.ceil(opts.saveN / nr)} timed${per('save')} \`PUT {type: 'notebook', format: 'json', content}\` (${(tpl.versions[0].body.length / 1e6).toFixed(1)} MB request body, the API form with sources as strings), alternating two versions that differ from each other (notebook metadata and one line of cell 1) so every save writes new bytes. Each PUT body is serialised once up front. After the saves the file is read back through the API and checked to be the last version sent.`);
  L.push(`- Servers run one after the other${nr > 1 ? `, taking turns in ${nr} rounds (order Workbench, jupyter_server, then jupyter_server, Workbench, …; each round a fresh copy of the workspace and a fresh server with its own warm-ups; the samples of all rounds are pooled)` : ' (Workbench first)'}, never both at once; each with fresh temp \`JUPYTER_CONFIG_DIR\`/\`JUPYTER_DATA_DIR\`/\`JUPYTER_RUNTIME_DIR\`/\`IPYTHONDIR\`. Before each step the benchmark waits (bounded) for a quiet machine and a CPU-quiet server. "Server CPU" is user+system CPU of the server process tree during the timed requests, per request.`);
  L.push(`- Workbench runs with \`--config\` \`${JSON.stringify(WB_CONFIG)}\` so its git autosave commits (normally 30 s after a save) cannot run during the measurement; its root is a git repo (Workbench runs \`git init\` on start; the generated files stay untracked). Both servers write saves durably: Workbench writes a temp file, fsyncs it, renames it over the target and fsyncs the directory; jupyter_server (default \`use_atomic_writing\`) copies the old file aside, rewrites the target in place, fsyncs it and removes the copy. jupyter_server (default \`LargeFileManager\`) also validates the notebook with nbformat and checks/stores its trust signature (sqlite in the temp \`JUPYTER_DATA_DIR\`) on open and save (the generated notebook is unsigned, so it logs \`Notebook big.ipynb is not trusted\` each time; expected, not listed below); Workbench validates with the nbformat 4.5 JSON schema (ajv).`);
  L.push('');
  if (nr > 1) {
    const pr = (s, k) => (s[k] && s[k].perRoundP50 ? s[k].perRoundP50.map((x) => x.toFixed(0)).join(' / ') : '—');
    L.push(`p50 of each round (ms), Workbench vs jupyter_server: listing ${pr(wb, 'list')} vs ${pr(js, 'list')}; open ${pr(wb, 'open')} vs ${pr(js, 'open')}; save ${pr(wb, 'save')} vs ${pr(js, 'save')}.`);
    L.push('');
  }
  const bothSaved = wb.savedFile && js.savedFile;
  if (bothSaved) {
    L.push(bothSaved && wb.savedFile.sha256 === js.savedFile.sha256
      ? `The saved \`big.ipynb\` is byte-identical on both servers (${wb.savedFile.bytes.toLocaleString('en-US')} bytes).`
      : `The saved \`big.ipynb\` differs between the servers: Workbench ${wb.savedFile.bytes.toLocaleString('en-US')} bytes, jupyter_server ${js.savedFile.bytes.toLocaleString('en-US')} bytes.`);
    L.push('');
  }
  const loads = [];
  for (const [k, s] of Object.entries(servers)) for (const [step, l] of Object.entries(s.load || {})) loads.push({ who: k === 'workbench' ? 'Workbench' : 'jupyter_server', step, ...l });
  if (loads.length) {
    const pct = (x) => `${(100 * x).toFixed(0)}%`;
    L.push(`Background load during each step, as a share of the whole machine (avg/max per 1 s${nr > 1 ? '; averaged over rounds' : ''}). CPU of processes other than the benchmark and its server: ${loads.map((l) => `${l.who} ${l.step} ${pct(l.foreignAvg)}/${pct(l.foreignMax)}${l.quietBefore ? '' : ' (not quiet at start)'}`).join(', ')}. Hypervisor steal: ${loads.map((l) => `${l.who} ${l.step} ${pct(l.stealAvg)}/${pct(l.stealMax)}`).join(', ')}.`);
    const steal = (who) => { const ls = loads.filter((l) => l.who === who); return ls.length ? ls.reduce((a, l) => a + l.stealAvg, 0) / ls.length : 0; };
    if (Math.max(steal('Workbench'), steal('jupyter_server')) > 0.1) L.push(`Note: this is a VM whose host withholds CPU (steal) — on average ${pct(steal('Workbench'))} of the machine during the Workbench steps and ${pct(steal('jupyter_server'))} during the jupyter_server steps. Steal counts in the wall-clock times.`);
    const noisy = loads.filter((l) => l.foreignAvg > 0.1);
    if (noisy.length) L.push(`**Warning:** other processes used more than 10% of the machine during ${noisy.map((l) => `${l.who} ${l.step}`).join(', ')}; those numbers are noisy.`);
    L.push('');
  }
  L.push('Server commands (`T` = token, `$TMP` = that server\'s temp dir):');
  L.push('');
  for (const s of Object.values(servers)) if (s.command) L.push(`- \`${s.command}\``);
  const problems = [];
  for (const [k, s] of Object.entries(servers)) {
    for (const e of s.errors || []) problems.push(`${k}: ${e}`);
    if (s.openMessage) problems.push(`${k}: GET big.ipynb returned message: ${s.openMessage}`);
    if (s.saveMessage) problems.push(`${k}: PUT big.ipynb returned message: ${s.saveMessage}`);
    if (s.logIssues) problems.push(`${k}: server logged ${s.logIssues.length}${s.logIssues.length >= 20 ? '+' : ''} warning/error line(s), e.g. ${s.logIssues.slice(0, 2).join(' | ')}`);
  }
  if (problems.length) {
    L.push('');
    L.push('Problems and warnings during this run:');
    L.push('');
    for (const p of problems) L.push(`- ${p.replace(/\n/g, ' ').replace(/\|/g, '\\|').slice(0, 500)}`);
  }
  L.push(END);
  return L.join('\n');
}

/** Replace only our section of BENCHMARKS.md (shared helper: re-read, then atomic replace). */
function writeSection(file, section) {
  require('./lib/report').writeMarkedSection(file, START, END, section);
}

// ---------------------------------------------------------------- main

async function main() {
  const meta = machineInfo();
  meta.command = `node bench/contents.js${argv.length ? ` ${argv.map((a) => a.replace(/^--(json|logs)=.*/, '--$1=FILE')).join(' ')}` : ''}`;
  log(`contents bench: ${quick ? 'quick' : 'full'} run, ${opts.files} files, ${opts.cells} cells${only ? `, only ${only}` : ''}${profileDir ? `, profiling Workbench into ${profileDir}` : ''}`);
  if (only !== 'jupyter' && !fs.existsSync(path.join(REPO, 'server', 'app', 'lib', 'cli.js'))) {
    console.error('Workbench is not built: run `npm run build` first');
    process.exitCode = 1;
    return;
  }
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-contents-template-'));
  trackDir(tplDir);
  const results = { meta, opts, servers: {} };
  try {
    const t0 = now();
    const tpl = makeTemplate(tplDir);
    log(`workspace generated in ${((now() - t0) / 1000).toFixed(1)} s: big.ipynb ${tpl.nbBytes} bytes, save bodies ${tpl.versions.map((v) => v.body.length).join('/')} bytes`);
    results.tpl = { counts: tpl.counts, nbBytes: tpl.nbBytes, sourceBytes: tpl.sourceBytes, sourceLines: tpl.sourceLines, saveBodyBytes: tpl.versions.map((v) => v.body.length) };
    const perRound = { list: Math.ceil(opts.listN / rounds), open: Math.ceil(opts.openN / rounds), save: Math.ceil(opts.saveN / rounds) };
    const kinds = ['workbench', 'jupyter'].filter((k) => !only || k === only);
    results.rounds = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...kinds].reverse() : kinds; // ABBA: neither server always goes first
      const round = {};
      if (rounds > 1) log(`round ${r + 1}/${rounds}: ${order.join(', ')}`);
      for (const k of order) {
        round[k] = await benchServer(k, tpl, tplDir, perRound);
      }
      results.rounds.push(round);
    }
    for (const k of kinds) results.servers[k] = pool(results.rounds.map((round) => round[k]));
    const section = render({ ...results, tpl });
    console.log(section);
    if (write) { writeSection(OUT, section); log(`wrote ${OUT}`); } else log('not writing BENCHMARKS.md (--quick without --write, --no-write, or --profile)');
  } finally {
    try { fs.rmSync(tplDir, { recursive: true, force: true }); } catch { /* ignore */ }
  }
  if (value('json')) fs.writeFileSync(value('json'), JSON.stringify(results, null, 2));
  const wb = results.servers.workbench;
  process.exitCode = (wb && wb.errors.length) || Object.values(results.servers).some((s) => s.failedSteps) ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => killAllSync());
