#!/usr/bin/env node
'use strict';
// The pipeline scheduler: what it costs per task, how it drains a backlog on 2 CPUs,
// and how fast the run-status endpoints answer with a day's worth of runs in the store.
//
//   node bench/pipelines.js [--quick] [--no-write|--write] [--runs=20] [--queued=200] [--store=2000] [--requests=300]
//
// A real Workbench in this process (loadConfig + startWorkbench from server/app/lib, as
// server/app/src/testing/harness.ts does), real sandboxed Python kernels (Debian ipykernel),
// the default SQLite store; one temp folder (workspace, data dir, runtime and config dirs)
// shared by three server starts one after the other, so that runs accumulate:
//
//   A  no pool       pipelines.slots 2
//      1. N sequential one-task runs (one cell `x = 1`), after one untimed warm-up run.
//   B  pool          pipelines.slots 2, kernels.pool {python3: 2}
//      1. the same N sequential runs; before each, the pool is given time to refill
//         (untimed), so every task can take a pre-started kernel.
//      2. Q runs of the same pipeline created at once (runNow x Q in one go, after
//         subscribing to onRunChanged); until every one has ended: throughput, queue wait
//         (attempt startedAt - queuedAt) per task.
//      +  a few dozen runs of a second pipeline whose notebook is not JSON: the worker
//         fails each at once ("not a notebook", no kernel), so the store holds real
//         failed runs for the status query of step 3 (5% of the target).
//   D  no server     the comparison: the same notebook N times (after a warm-up) through
//      1b. nbclient (what papermill and jupyter-scheduler execute with) in one
//         /usr/bin/python3 process: start kernel, execute, shut down, write the output.
//   C  worker off    pipelines.enabled false (this replica only serves the API)
//      3. The store is filled up to S runs with runs made directly in the run store
//         (wb.pipelines.runs.create) from the spec, period and parameters of a finished
//         run of the one-task pipeline, each then cancelled through the service
//         (wb.pipelines.cancel): cheap (no kernel, the worker is off so nothing can claim
//         them in between) and shaped like history (ended, finished_at set, task rows).
//         Then R rounds of three GETs over HTTP with the token, one at a time on a
//         keep-alive connection, after 20 warm-up rounds:
//           GET /api/runs?status=running,failed&limit=50
//           GET /api/pipelines/{id}/runs?limit=20   (the one-task pipeline: ~S runs)
//           GET /api/runs/{id}                      (rotating over executed runs)
//
// Per-task phases come from the attempt rows (queuedAt, startedAt = claimed, kernelReadyAt,
// firstCellAt = the first cell sent, finishedAt = outcome recorded) plus two timestamps the
// benchmark observes in-process: the "cell 1 ok" log line (onLog: the cell's reply) and the
// kernel's removal (kernels.onKernelRemoved: shutdown done; the executor awaits it before
// the task's output notebook is saved and its outcome recorded).
//
// Writes a section between <!-- bench:pipelines:start --> and <!-- bench:pipelines:end -->
// in BENCHMARKS.md (not with --quick unless --write). Everything it starts (servers, kernels)
// and its temp folder are removed at the end, also on errors, Ctrl-C and the watchdog.
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFile } = require('child_process');
const execFileAsync = require('util').promisify(execFile);
const REPO = path.resolve(__dirname, '..');
const { now, sleep, percentile } = require('./lib/util');
const { machineInfo, writeMarkedSection } = require('./lib/report');
const { waitMachineQuiet } = require('./lib/load');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const num = (name, d) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a ? Number(a.slice(name.length + 3)) : d; };
const known = /^--(quick|write|no-write|help|(runs|queued|store|requests)=\d+)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || flag('help')) {
  console.error(`usage: node bench/pipelines.js [--quick] [--no-write|--write] [--runs=N] [--queued=N] [--store=N] [--requests=N]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}
const quick = flag('quick');
const RUNS = num('runs', quick ? 5 : 20);
const QUEUED = num('queued', quick ? 30 : 200);
const STORE = num('store', quick ? 400 : 2000);
const REQUESTS = num('requests', quick ? 50 : 300);
const FAILED = Math.max(1, Math.round(STORE * 0.05));
const write = flag('write') || (!quick && !flag('no-write'));
const START = '<!-- bench:pipelines:start -->';
const END = '<!-- bench:pipelines:end -->';
const TOKEN = 'bench-pipelines-0123456789abcdef';
const POOL = 2;
const SLOTS = 2;

const { loadConfig, startWorkbench } = require(path.join(REPO, 'server/app/lib'));
const { silentLogger } = require(path.join(REPO, 'core/lib'));
const { RUN_DONE } = require(path.join(REPO, 'server/pipelines/lib'));

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const dispose = (d) => d && d[Symbol.dispose]();

// ---------------------------------------------------------------- cleanup
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-pipelines-'));
const ROOT = path.join(DIR, 'root');
let current; // the server running now

/** Our descendant processes (kernels, their sandboxes), deepest first. */
function descendants(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(d));
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) || []) { walk(c); out.push(c); } };
  walk(pid);
  return out;
}

/** Last resort (exit paths): SIGKILL whatever we started that is still there, remove the temp folder. */
function cleanupSync() {
  for (const p of descendants(process.pid)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  try { fs.rmSync(DIR, { recursive: true, force: true }); } catch { /* best effort */ }
}

async function stopServer(wb) {
  if (!wb) return;
  const t = setTimeout(() => { log('server did not stop within 60 s; killing its kernels'); cleanupSync(); process.exit(3); }, 60000);
  try {
    await wb[Symbol.asyncDispose]();
  } finally {
    clearTimeout(t);
    if (current === wb) current = undefined;
  }
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    const wb = current;
    current = undefined;
    Promise.race([wb ? wb[Symbol.asyncDispose]() : undefined, sleep(10000)]).catch(() => undefined).finally(() => process.exit(130));
  });
}
const WATCHDOG_MIN = quick ? 6 : 15;
setTimeout(() => { console.error(`watchdog: still running after ${WATCHDOG_MIN} min, giving up`); process.exit(3); }, WATCHDOG_MIN * 60000).unref();

// ---------------------------------------------------------------- CPU accounting
/**
 * CPU-seconds of this process and its descendants (kernels), and the machine's busy share.
 * bench/lib/load.js sums the live tree's utime+stime+cutime+cstime, which misses a kernel
 * that ended between two samples: bubblewrap's inner process is reparented to init, so a
 * dead kernel's time never reaches our cutime. Here every descendant is read every 100 ms
 * and its own utime+stime deltas are summed (pid + start time, so a reused pid is new): a
 * lower bound that misses at most each process's last 100 ms.
 */
function sysTicks() {
  const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: v.slice(0, 8).reduce((a, b) => a + b, 0) - v[3] - (v[4] || 0), total: v.slice(0, 8).reduce((a, b) => a + b, 0) };
}

class CpuSampler {
  constructor(intervalMs = 100) {
    this.seen = new Map();
    this.poll();
    this.ticks = 0; // what existed before the step is not counted
    this.sys0 = sysTicks();
    this.win = { sys: this.sys0, ticks: 0, n: 0 };
    this.maxForeign = 0;
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  poll() {
    for (const pid of [process.pid, ...descendants(process.pid)]) {
      let f;
      try { const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); f = st.slice(st.lastIndexOf(')') + 2).split(' '); } catch { continue; }
      const start = f[19];
      const t = Number(f[11]) + Number(f[12]);
      const prev = this.seen.get(pid);
      this.ticks += prev && prev.start === start ? t - prev.t : t;
      this.seen.set(pid, { start, t });
    }
    if (this.win && ++this.win.n >= 10) { // per-second foreign share
      const sys = sysTicks();
      const dt = sys.total - this.win.sys.total;
      if (dt > 0) this.maxForeign = Math.max(this.maxForeign, Math.max(0, (sys.busy - this.win.sys.busy - (this.ticks - this.win.ticks)) / dt));
      this.win = { sys, ticks: this.ticks, n: 0 };
    }
  }

  stop() {
    clearInterval(this.timer);
    this.poll();
    const sys = sysTicks();
    const dt = sys.total - this.sys0.total;
    const foreignAvg = dt > 0 ? Math.max(0, (sys.busy - this.sys0.busy - this.ticks) / dt) : 0;
    return { cpuS: this.ticks / 100, foreignAvg, foreignMax: Math.max(this.maxForeign, foreignAvg) };
  }
}

// ---------------------------------------------------------------- the comparison
const NBCLIENT = `
import json, sys, time
import nbclient, nbformat
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ms = []
for i in range(n + 1):
    t0 = time.perf_counter()
    nb = nbformat.read(src, as_version=4)
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    nbformat.write(nb, out)
    if i > 0:
        ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"version": nbclient.__version__, "ms": ms}))
`;

/** The same one-cell notebook run n times (after a warm-up) by nbclient in one Python process. */
async function nbclientRuns(n) {
  const env = { ...process.env, JUPYTER_RUNTIME_DIR: path.join(DIR, 'runtime'), JUPYTER_CONFIG_DIR: path.join(DIR, 'jupyter-config'), IPYTHONDIR: path.join(DIR, 'ipython'), JUPYTER_DATA_DIR: path.join(DIR, 'data') };
  const { stdout: outText } = await execFileAsync('/usr/bin/python3', ['-c', NBCLIENT, path.join(ROOT, 'bench/one.ipynb'), path.join(DIR, 'nbclient-out.ipynb'), String(n)], { env, encoding: 'utf8', timeout: 600000 });
  return JSON.parse(outText.trim().split('\n').pop());
}

// ---------------------------------------------------------------- servers
const ONE = 'bench/one.pipeline.yaml';
const BROKEN = 'bench/broken.pipeline.yaml';

function writeWorkspace() {
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'python3', language: 'python' } },
    cells: [{ id: 'c0', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: 'x = 1' }],
  };
  fs.writeFileSync(path.join(ROOT, 'bench/one.ipynb'), JSON.stringify(nb));
  fs.writeFileSync(path.join(ROOT, ONE), 'name: One cell\ntasks:\n  t: { notebook: bench/one.ipynb }\n');
  fs.writeFileSync(path.join(ROOT, 'bench/broken.ipynb'), 'this is not a notebook');
  fs.writeFileSync(path.join(ROOT, BROKEN), 'name: Broken\ntasks:\n  t: { notebook: bench/broken.ipynb }\n');
  for (const d of ['runtime', 'jupyter-config', 'ipython', 'data']) fs.mkdirSync(path.join(DIR, d), { recursive: true });
}

async function startServer(label, fileConfig) {
  const cfgFile = path.join(DIR, `${label}.config.json`);
  fs.writeFileSync(cfgFile, JSON.stringify(fileConfig));
  const env = { ...process.env, JUPYTER_RUNTIME_DIR: path.join(DIR, 'runtime'), JUPYTER_CONFIG_DIR: path.join(DIR, 'jupyter-config'), IPYTHONDIR: path.join(DIR, 'ipython'), WORKBENCH_DATA_DIR: path.join(DIR, 'data') };
  const { config } = loadConfig(['--port', '0', '--no-browser', '--token', TOKEN, '--root-dir', ROOT, '--config', cfgFile], env, DIR);
  const t0 = now();
  const wb = await startWorkbench(config, { env, logger: silentLogger });
  current = wb;
  log(`server ${label} listening on 127.0.0.1:${wb.port} (started in ${((now() - t0) / 1000).toFixed(1)} s)`);
  return wb;
}

async function pipelineId(wb, p) {
  await wb.pipelines.sync();
  const rec = await wb.pipelines.registry.byPath(p);
  if (!rec) throw new Error(`no pipeline ${p}`);
  if (rec.issues.length) throw new Error(`${p}: ${JSON.stringify(rec.issues)}`);
  return rec.id;
}

async function poolFull(wb, timeoutMs = 60000) {
  const until = now() + timeoutMs;
  while ((wb.kernels.poolCounts().python3 || 0) < POOL) {
    if (now() > until) throw new Error(`the kernel pool did not fill within ${timeoutMs / 1000} s`);
    await sleep(25);
  }
}

/**
 * What the benchmark sees in-process: run ends (wall clock), "cell N ok" log lines and
 * kernel removals (epoch ms), subscribed once per server before anything is created.
 */
function observe(wb) {
  const ended = new Map(); // run id -> performance.now() of its end event
  const waiters = new Map();
  const cellDone = new Map(); // run id -> epoch ms of the first cell's end
  const kernelGone = new Map(); // kernel id -> epoch ms
  const commits = new Map(); // output notebook path -> ms its git commit (contents.createCheckpoint) took
  const createCheckpoint = wb.contents.createCheckpoint;
  wb.contents.createCheckpoint = async function timed(p, user) {
    const t = now();
    try {
      return await createCheckpoint.call(this, p, user);
    } finally {
      commits.set(p, now() - t);
    }
  };
  const subs = [
    wb.pipelines.onRunChanged((r) => {
      if (!RUN_DONE.has(r.status) || ended.has(r.id)) return;
      const t = now();
      ended.set(r.id, t);
      const w = waiters.get(r.id);
      if (w) { waiters.delete(r.id); w(t); }
    }),
    wb.pipelines.onLog(({ runId, line }) => {
      if (line.cell === 0 && /^cell 1 (ok|error)/.test(line.text) && !cellDone.has(runId)) cellDone.set(runId, Date.parse(line.at));
    }),
    wb.kernels.onKernelRemoved(({ id }) => kernelGone.set(id, Date.now())),
  ];
  return {
    ended,
    cellDone,
    kernelGone,
    commits,
    waitEnd(id, timeoutMs = 120000) {
      if (ended.has(id)) return Promise.resolve(ended.get(id));
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => { waiters.delete(id); reject(new Error(`run ${id} did not end within ${timeoutMs / 1000} s`)); }, timeoutMs);
        waiters.set(id, (x) => { clearTimeout(t); resolve(x); });
      });
    },
    dispose() { subs.forEach(dispose); wb.contents.createCheckpoint = createCheckpoint; },
  };
}

const ms = (iso) => (iso ? Date.parse(iso) : NaN);

/** One executed run's phases (ms). */
function phases(detail, obs, clientMs) {
  const task = detail.tasks[0];
  const a = task.attempts[task.attempts.length - 1];
  const q = ms(a.queuedAt);
  const claimed = ms(a.startedAt);
  const ready = ms(a.kernelReadyAt);
  const first = ms(a.firstCellAt);
  const fin = ms(a.finishedAt);
  const cell = obs.cellDone.get(detail.id) ?? NaN;
  const gone = a.kernelId ? obs.kernelGone.get(a.kernelId) ?? NaN : NaN;
  return {
    status: detail.status,
    created: ms(detail.createdAt),
    queued: q,
    claimed,
    finished: ms(detail.finishedAt),
    queueToClaim: claimed - q,
    claimToReady: ready - claimed,
    readyToFirst: first - ready,
    queueToFirst: first - q,
    firstToCellDone: cell - first,
    cellDoneToKernelGone: gone - cell,
    kernelGoneToRecorded: fin - gone,
    outputCommit: obs.commits.get(task.outputPath) ?? NaN,
    claimToRecorded: fin - claimed,
    runE2e: ms(detail.finishedAt) - ms(detail.createdAt),
    client: clientMs,
  };
}

// ---------------------------------------------------------------- 1. per-task overhead
async function sequential(wb, obs, pid, n, { pool }) {
  const rows = [];
  for (let i = 0; i <= n; i++) { // i = 0: warm-up, reported apart
    if (pool) await poolFull(wb);
    await sleep(200); // let the refill's last messages and the previous run's save settle
    const t0 = now();
    const run = await wb.pipelines.runNow(pid, { by: 'bench' });
    const t1 = await obs.waitEnd(run.id);
    const d = await wb.pipelines.runs.get(run.id);
    if (d.status !== 'succeeded') throw new Error(`run ${run.id} ${d.status}: ${d.error}`);
    await sleep(20); // the kernel-removed event may trail the run's end by a tick
    rows.push(phases(d, obs, t1 - t0));
  }
  return { warmup: rows[0], rows: rows.slice(1) };
}

// ---------------------------------------------------------------- 2. a backlog on 2 slots
async function backlog(wb, obs, pid, n) {
  await poolFull(wb);
  const t0 = now();
  const made = await Promise.all(Array.from({ length: n }, () => wb.pipelines.runNow(pid, { by: 'bench' })));
  const createdMs = now() - t0;
  const ids = made.map((r) => r.id);
  const deadline = now() + Math.max(120000, n * 5000);
  while (ids.some((id) => !obs.ended.has(id))) {
    if (now() > deadline) throw new Error(`${ids.filter((id) => !obs.ended.has(id)).length} of ${n} runs had not ended after ${((now() - t0) / 1000).toFixed(0)} s`);
    await sleep(100);
  }
  const wallMs = Math.max(...ids.map((id) => obs.ended.get(id))) - t0;
  await sleep(50);
  const rows = [];
  for (const id of ids) rows.push(phases(await wb.pipelines.runs.get(id), obs, obs.ended.get(id) - t0));
  return { ids, rows, createdMs, wallMs };
}

/** Runs of the broken pipeline: the worker fails each before any kernel starts. */
async function failedRuns(wb, obs, pid, n) {
  const made = [];
  for (let i = 0; i < n; i++) made.push(await wb.pipelines.runNow(pid, { by: 'bench' }));
  for (const r of made) await obs.waitEnd(r.id, 60000);
  const statuses = new Set();
  for (const r of made) statuses.add((await wb.pipelines.runs.get(r.id)).status);
  if (statuses.size !== 1 || !statuses.has('failed')) throw new Error(`broken pipeline runs ended ${[...statuses].join(', ')} (expected failed)`);
}

// ---------------------------------------------------------------- 3. status refresh
async function countRuns(wb) {
  const r = await wb.metadata.db.selectFrom('pipeline_runs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function fillStore(wb, template, target) {
  const have = await countRuns(wb);
  const need = Math.max(0, target - have);
  const n = {
    pipelineId: template.pipelineId,
    pipelinePath: template.pipelinePath,
    spec: template.spec,
    trigger: 'manual',
    triggeredBy: 'bench',
    runAs: template.runAs,
    logicalDate: ms(template.logicalDate),
    period: template.period,
    parameters: template.parameters,
  };
  const t0 = now();
  for (let i = 0; i < need; i++) {
    const { run } = await wb.pipelines.runs.create(n);
    await wb.pipelines.cancel(run.id, 'bench');
  }
  return { before: have, made: need, after: await countRuns(wb), secs: (now() - t0) / 1000 };
}

function httpGet(agent, port, p) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const req = http.get({ host: '127.0.0.1', port, path: p, agent, headers: { Authorization: `token ${TOKEN}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const t = now() - t0;
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) reject(new Error(`GET ${p}: ${res.statusCode} ${body.toString('utf8').slice(0, 200)}`));
        else resolve({ ms: t, bytes: body.length, body });
      });
      res.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${p}: timeout`)));
    req.on('error', reject);
  });
}

async function statusRefresh(wb, pid, runIds, rounds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const endpoints = [
    { key: 'list', label: '`GET /api/runs?status=running,failed&limit=50`', path: () => '/api/runs?status=running,failed&limit=50' },
    { key: 'pipeline', label: '`GET /api/pipelines/{id}/runs?limit=20`', path: () => `/api/pipelines/${encodeURIComponent(pid)}/runs?limit=20` },
    { key: 'run', label: '`GET /api/runs/{id}`', path: (i) => `/api/runs/${runIds[i % runIds.length]}` },
  ];
  const out = Object.fromEntries(endpoints.map((e) => [e.key, { label: e.label, times: [], bytes: 0, items: 0 }]));
  try {
    for (let i = 0; i < 20 + rounds; i++) {
      for (const e of endpoints) {
        const r = await httpGet(agent, wb.port, e.path(i));
        if (i < 20) continue;
        const o = out[e.key];
        o.times.push(r.ms);
        if (i === 20) {
          o.bytes = r.bytes;
          const j = JSON.parse(r.body.toString('utf8'));
          o.items = Array.isArray(j) ? j.length : 1;
        }
      }
    }
  } finally {
    agent.destroy();
  }
  return out;
}

// ---------------------------------------------------------------- report
const f = (x) => (Number.isNaN(x) || x === undefined ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
const pc = (xs, q) => percentile(xs.filter((x) => !Number.isNaN(x)), q);

function pctLoad(l) { return l ? `${(100 * l.foreignAvg).toFixed(0)}%/${(100 * l.foreignMax).toFixed(0)}%` : '—'; }

function render(R) {
  const m = R.machine;
  const L = [];
  const cmd = `node bench/pipelines.js${quick ? ' --quick' : ''}${argv.filter((a) => /^--(runs|queued|store|requests)=/.test(a)).map((a) => ` ${a}`).join('')}`;
  L.push(START);
  L.push(`## Pipeline scheduler: per-task overhead, a ${QUEUED}-task backlog, status refresh`);
  L.push('');
  L.push(`Generated by \`${cmd}\` on ${m.date}${quick ? ' (**--quick smoke run, small N**)' : ''} in ${R.totalS.toFixed(0)} s. Machine: ${m.nproc} CPUs, ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}. Node ${m.node}; ${m.python}, ipykernel ${m.ipykernel}. Workbench commit ${m.commit}.`);
  L.push('');
  L.push(`A real Workbench in the benchmark's process (\`startWorkbench\`), default SQLite store, sandboxed Python kernels (bubblewrap, the default); \`pipelines.slots: ${SLOTS}\`. The task is a one-cell notebook (\`x = 1\`) in a one-task pipeline, run with \`runNow\`. Phases come from the attempt's rows (queued, claimed = \`startedAt\`, \`kernelReadyAt\`, \`firstCellAt\` = first cell sent, \`finishedAt\` = outcome recorded), plus the cell's "ok" log line and the kernel's removal, both observed in-process. Percentiles are nearest-rank.`);
  L.push('');
  const p1 = R.seq;
  L.push(`### 1. Per-task overhead: ${RUNS} sequential runs (after 1 warm-up run each)`);
  L.push('');
  L.push(`| phase (ms) | no pool p50 | no pool p95 | pool of ${POOL} p50 | pool of ${POOL} p95 |`);
  L.push('|---|---:|---:|---:|---:|');
  const rows1 = [
    ['queue → claimed (`startedAt − queuedAt`)', 'queueToClaim'],
    ['claimed → kernel ready (read notebook, start or hand over a kernel)', 'claimToReady'],
    ['kernel ready → first cell sent', 'readyToFirst'],
    ['**queue → first cell (total)**', 'queueToFirst'],
    ['first cell sent → its reply (`x = 1`)', 'firstToCellDone'],
    ['cell done → kernel shut down', 'cellDoneToKernelGone'],
    ['kernel shut down → outcome recorded (output notebook saved and committed to git, run settled)', 'kernelGoneToRecorded'],
    ['&nbsp;&nbsp;of which the output notebook\'s git commit (`contents.createCheckpoint`)', 'outputCommit'],
    ['**run created → finished** (store)', 'runE2e'],
    ['`runNow()` call → run-ended event (in-process client)', 'client'],
  ];
  for (const [label, k] of rows1) {
    const a = p1.nopool.rows.map((r) => r[k]);
    const b = p1.pool.rows.map((r) => r[k]);
    L.push(`| ${label} | ${f(pc(a, 0.5))} | ${f(pc(a, 0.95))} | ${f(pc(b, 0.5))} | ${f(pc(b, 0.95))} |`);
  }
  const cpu = (l, runs) => (l ? (l.cpuS / runs).toFixed(2) : '—');
  L.push(`| CPU-seconds per run: this process + its kernels over the whole step (warm-up and pool refills included) ÷ ${RUNS + 1} | ${cpu(R.load.nopool, RUNS + 1)} | | ${cpu(R.load.pool, RUNS + 1)} | |`);
  L.push('');
  L.push(`Warm-up run (first after the server started; not in the table): no pool ${f(p1.nopool.warmup.runE2e)} ms created → finished, pool ${f(p1.pool.warmup.runE2e)} ms. With the pool, each run waits (untimed) until ${POOL} kernels are waiting again.`);
  L.push('');
  const nb = R.nbclient;
  const ours = (rows, q) => pc(rows.map((r) => r.runE2e), q);
  L.push(`### 1b. Beside it: the same notebook through nbclient ${nb.version}`);
  L.push('');
  L.push(`papermill and jupyter-scheduler run notebooks with nbclient (papermill is not packaged for Debian and no Python package index is reachable here, so nbclient itself is the comparison). A Python process (\`/usr/bin/python3\`, the same Debian ipykernel) runs \`NotebookClient(nb, kernel_name="python3").execute()\` on \`bench/one.ipynb\` and writes the output notebook, ${RUNS} times after 1 warm-up, timed around both. Unsandboxed, with no queue, store, audit or logs: it is the floor a notebook scheduler on nbclient starts from, not a scheduler.`);
  L.push('');
  L.push('| per run (ms) | p50 | p95 | Workbench ÷ nbclient at p50 |');
  L.push('|---|---:|---:|---:|');
  L.push(`| nbclient: start kernel, execute, shut down, write the output | ${f(pc(nb.ms, 0.5))} | ${f(pc(nb.ms, 0.95))} | |`);
  L.push(`| Workbench, no pool: run created → finished (sandboxed kernel, store, audit, logs, output committed) | ${f(ours(p1.nopool.rows, 0.5))} | ${f(ours(p1.nopool.rows, 0.95))} | ${(ours(p1.nopool.rows, 0.5) / pc(nb.ms, 0.5)).toFixed(2)} |`);
  L.push(`| Workbench, pool of ${POOL}: run created → finished | ${f(ours(p1.pool.rows, 0.5))} | ${f(ours(p1.pool.rows, 0.95))} | ${(ours(p1.pool.rows, 0.5) / pc(nb.ms, 0.5)).toFixed(2)} |`);
  L.push('');
  const b = R.backlog;
  const wait = b.rows.map((r) => r.queueToClaim);
  const span = Math.max(...b.rows.map((r) => r.finished)) - Math.min(...b.rows.map((r) => r.created));
  const perMin = b.rows.length / (span / 60000);
  const perDay = perMin * 1440;
  L.push(`### 2. ${QUEUED} runs queued at once, ${SLOTS} slots, pool of ${POOL}, ${m.nproc} CPUs`);
  L.push('');
  L.push('| measure | value |');
  L.push('|---|---:|');
  L.push(`| runs created (${QUEUED} \`runNow\` calls in one go) | ${f(b.createdMs)} ms |`);
  L.push(`| first created → last finished | ${(span / 1000).toFixed(1)} s |`);
  L.push(`| **throughput** | **${perMin.toFixed(0)} tasks/min** (${(perMin / 60).toFixed(2)}/s) |`);
  L.push(`| at that rate, per day | ${Math.round(perDay).toLocaleString('en')} runs (${(perDay / 2000).toFixed(0)}x the PRD's 2,000/day) |`);
  L.push(`| 2,000 such runs back to back would take | ${(2000 / perMin).toFixed(1)} min |`);
  L.push(`| **queue wait** (\`startedAt − queuedAt\`) p50 / p95 / max | ${(pc(wait, 0.5) / 1000).toFixed(1)} / **${(pc(wait, 0.95) / 1000).toFixed(1)}** / ${(Math.max(...wait) / 1000).toFixed(1)} s |`);
  L.push(`| claimed → kernel ready p50 / p95 | ${f(pc(b.rows.map((r) => r.claimToReady), 0.5))} / ${f(pc(b.rows.map((r) => r.claimToReady), 0.95))} ms |`);
  L.push(`| claimed → outcome recorded (a slot's time per task) p50 / p95 | ${f(pc(b.rows.map((r) => r.claimToRecorded), 0.5))} / ${f(pc(b.rows.map((r) => r.claimToRecorded), 0.95))} ms |`);
  L.push(`| tasks whose kernel was ready within 100 ms of the claim (from the pool) | ${b.rows.filter((r) => r.claimToReady <= 100).length} of ${b.rows.length} |`);
  L.push(`| CPU-seconds per task: this process + its kernels over the step ÷ ${QUEUED} | ${cpu(R.load.backlog, QUEUED)} |`);
  L.push(`| runs succeeded | ${b.rows.filter((r) => r.status === 'succeeded').length} of ${b.rows.length} |`);
  L.push('');
  L.push(`Queue wait grows linearly with the position in the backlog (FIFO at equal priority): the last task waits about the whole drain time, so p95 is set by the backlog's size and the per-task rate, not by the scheduler's own latency (queue → claimed ${f(pc(p1.pool.rows.map((r) => r.queueToClaim), 0.5))} ms p50 on an idle queue, step 1).`);
  L.push('');
  const s = R.refresh;
  L.push(`### 3. Status refresh with ${s.fill.after.toLocaleString('en')} runs in the store`);
  L.push('');
  L.push(`Store: ${s.fill.before} runs executed above (${FAILED} of them of a pipeline whose notebook is not JSON, failed by the worker without a kernel) plus ${s.fill.made.toLocaleString('en')} runs of the one-task pipeline made directly in the run store from a finished run's spec and cancelled through the service (${s.fill.secs.toFixed(1)} s), on a server started with \`pipelines.enabled: false\` on the same data dir so that none of them could be claimed. ${REQUESTS} rounds of the three GETs, one request at a time on a keep-alive connection with the token, after 20 warm-up rounds.`);
  L.push('');
  L.push('| request | items | bytes | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const o of Object.values(s.out)) L.push(`| ${o.label} | ${o.items} | ${o.bytes.toLocaleString('en')} | ${pc(o.times, 0.5).toFixed(2)} | ${pc(o.times, 0.95).toFixed(2)} | ${pc(o.times, 0.99).toFixed(2)} | ${Math.max(...o.times).toFixed(2)} |`);
  L.push('');
  const worst = Math.max(...Object.values(s.out).map((o) => pc(o.times, 0.95)));
  L.push(`Target (PRD): pipeline status refresh < 1 s p95 — worst p95 here **${worst.toFixed(1)} ms** (${worst < 1000 ? 'met' : 'NOT met'}). Throughput target: 2,000 runs/day — ${Math.round(perDay).toLocaleString('en')}/day of one-cell tasks on ${SLOTS} slots (${perDay >= 2000 ? 'met' : 'NOT met'}; real tasks run longer than \`x = 1\`: the headroom is ${(1440 * 60 * SLOTS / 2000).toFixed(0)} slot-seconds per run).`);
  L.push('');
  L.push('CPU-seconds: utime + stime of this process and every descendant (kernels and their bubblewrap), read every 100 ms from `/proc` and summed by deltas (a lower bound: each process\'s last < 100 ms is missed).');
  L.push('');
  L.push(`Background load (CPU of other processes as a share of the machine, avg/max per 1 s): step 1 no pool ${pctLoad(R.load.nopool)}, step 1 pool ${pctLoad(R.load.pool)}, step 1b ${pctLoad(R.load.nbclient)}, step 2 ${pctLoad(R.load.backlog)}, step 3 ${pctLoad(R.load.refresh)}.${Object.values(R.load).some((l) => l && l.foreignAvg > 0.1) ? ' **Warning:** above 10% somewhere: those numbers are noisy.' : ''}`);
  L.push(END);
  return L.join('\n');
}

// ---------------------------------------------------------------- main
async function step(name, fn) {
  const q = await waitMachineQuiet({ timeoutMs: quick ? 5000 : 20000 });
  log(`${name}${q.quiet ? '' : ` (machine still ${(100 * q.busy).toFixed(0)}% busy after ${q.waitedS.toFixed(0)} s; going on)`}`);
  const mon = new CpuSampler();
  const t0 = now();
  try {
    const value = await fn();
    return { value, load: { ...mon.stop(), secs: (now() - t0) / 1000 } };
  } catch (e) {
    mon.stop();
    throw e;
  }
}

async function main() {
  const T0 = now();
  writeWorkspace();
  const R = { load: {}, seq: {} };
  const base = { pipelines: { slots: SLOTS }, catalog: { refresh_interval_minutes: 0 } };

  // A: no pool
  let wb = await startServer('A', base);
  let obs = observe(wb);
  const oneId = await pipelineId(wb, ONE);
  let x = await step(`1. ${RUNS} sequential runs, no pool`, () => sequential(wb, obs, oneId, RUNS, { pool: false }));
  R.seq.nopool = x.value;
  R.load.nopool = x.load;
  obs.dispose();
  await stopServer(wb);

  // B: pool of 2
  wb = await startServer('B', { ...base, kernels: { pool: { python3: POOL } } });
  obs = observe(wb);
  await poolFull(wb);
  x = await step(`1. ${RUNS} sequential runs, pool of ${POOL}`, () => sequential(wb, obs, oneId, RUNS, { pool: true }));
  R.seq.pool = x.value;
  R.load.pool = x.load;
  x = await step(`2. ${QUEUED} runs queued at once`, () => backlog(wb, obs, oneId, QUEUED));
  R.backlog = x.value;
  R.load.backlog = x.load;
  log(`   drained in ${(R.backlog.wallMs / 1000).toFixed(1)} s`);
  log(`   ${FAILED} runs of the broken pipeline (failed by the worker, no kernel)`);
  await failedRuns(wb, obs, await pipelineId(wb, BROKEN), FAILED);
  const template = await wb.pipelines.runs.get(R.backlog.ids[0]);
  obs.dispose();
  await stopServer(wb);

  // D: the comparison: the same notebook through nbclient, what papermill and jupyter-scheduler execute with
  x = await step(`1b. ${RUNS} runs of the same notebook with nbclient`, async () => nbclientRuns(RUNS));
  R.nbclient = x.value;
  R.load.nbclient = x.load;

  // C: worker off, fill the store, time the reads
  wb = await startServer('C', { ...base, pipelines: { ...base.pipelines, enabled: false } });
  log(`3. filling the store to ${STORE} runs`);
  const fill = await fillStore(wb, template, STORE);
  log(`   ${fill.made} runs made and cancelled in ${fill.secs.toFixed(1)} s; ${fill.after} in the store`);
  const executed = [...R.seq.nopool.rows, ...R.seq.pool.rows, ...R.backlog.rows].length;
  const runIds = R.backlog.ids.slice(0, Math.min(R.backlog.ids.length, 100));
  x = await step(`3. ${REQUESTS} rounds of 3 GETs`, () => statusRefresh(wb, oneId, runIds, REQUESTS));
  R.refresh = { fill, out: x.value, executed };
  R.load.refresh = x.load;
  await stopServer(wb);

  R.totalS = (now() - T0) / 1000;
  R.machine = machineInfo(REPO);
  const section = render(R);
  console.log(section);
  if (write) {
    writeMarkedSection(path.join(REPO, 'BENCHMARKS.md'), START, END, section);
    log('wrote BENCHMARKS.md');
  }
}

main()
  .then(() => process.exit(0))
  .catch(async (err) => {
    console.error(err);
    await (current ? stopServer(current).catch(() => undefined) : undefined);
    process.exit(1);
  });
