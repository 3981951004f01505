'use strict';
// The four measurements. Each works against a started server ({port, token, rest})
// or, for the floors, a DirectKernel.
const { KernelWs } = require('./wsclient');
const { EXECUTE_DEFAULTS } = require('./protocol');
const { now, sleep, summarize, median, mapLimit } = require('./util');
const { RestClient } = require('./rest');
const { treeCpuSeconds, procCpuSeconds } = require('./procs');
const { waitMachineQuiet } = require('./load');

const KERNEL = 'python3';
const WARMUP_PER_CLIENT = 10; // untimed GETs per client loop and endpoint before the timed ones
const THROUGHPUT_MB = 50;
// 50 x 1 MB lines; flush after each so ipykernel emits 50 stream messages of ~1 MB
// (instead of coalescing everything into a few giant messages on its 0.2 s timer).
const THROUGHPUT_CODE = `import sys
for i in range(${THROUGHPUT_MB}):
    sys.stdout.write('x' * 1_000_000 + '\\n')
    sys.stdout.flush()`;
const THROUGHPUT_BYTES = THROUGHPUT_MB * 1_000_001;

// 3b: the firehose kernel (firehose-kernel.js) emits stream messages faster than
// either server relays them, so these measure the servers, not ipykernel.
const RELAY_VARIANTS = [
  { key: 'mb1', count: 50, bytes: 1_000_000, label: '50 × 1 MB', framings: ['v1', 'legacy'] },
  { key: 'kb10', count: 5_000, bytes: 10_000, label: '5,000 × 10 KB', framings: ['v1'] },
  { key: 'kb1', count: 50_000, bytes: 1_000, label: '50,000 × 1 KB', framings: ['v1'] },
];

const execute = (code) => ({ ...EXECUTE_DEFAULTS, code });

/** 1. POST /api/kernels -> WS open -> kernel_info_reply + iopub idle. */
async function kernelStart(server, { n, framing = 'v1' }) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    let id;
    let ws;
    try {
      const t0 = now();
      id = (await server.rest.startKernel(KERNEL)).id;
      const tPost = now();
      ws = await KernelWs.open(server, id, framing, { timeoutMs: 60000 });
      const tOpen = now();
      const e = await ws.request('shell', 'kernel_info_request', {}, { timeoutMs: 60000 });
      runs.push({ total: e.tDone - t0, post: tPost - t0, wsOpen: tOpen - tPost, kernelInfo: e.tDone - tOpen, replyStatus: e.reply.content.status });
    } finally {
      if (ws) await ws.close();
      if (id) {
        const td = now();
        await server.rest.deleteKernel(id);
        if (runs.length === i + 1) runs[i].delete = now() - td;
      }
    }
  }
  const pick = (k) => median(runs.map((r) => r[k]));
  return { n, framing, runs, median: { total: pick('total'), post: pick('post'), wsOpen: pick('wsOpen'), kernelInfo: pick('kernelInfo'), delete: pick('delete') } };
}

function oneRoundTrip(e) {
  if (e.reply.content.status !== 'ok') throw new Error(`execute_reply status ${e.reply.content.status}`);
  return { total: e.tDone - e.t0, reply: e.tReply - e.t0 };
}

function throughputRun(e) {
  const secs = (e.tDone - e.t0) / 1000;
  return { secs, mbps: THROUGHPUT_BYTES / 1e6 / secs, streamMsgs: e.iopubMsgs, streamBytes: e.streamBytes, complete: e.streamBytes >= 0.99 * THROUGHPUT_BYTES };
}

/**
 * 2 + 3, interleaved: the paths (direct ZeroMQ and each WebSocket framing, each on
 * its own kernel) take turns in blocks of BLOCK round trips, and one throughput run
 * each per round, so all of them see the same background load on a shared machine.
 * targets: { name: (content) => Promise<tracker entry> }
 */
const BLOCK = 10;
async function interleaved(targets, { warmup, iters, throughputN }) {
  const names = Object.keys(targets);
  const rt = Object.fromEntries(names.map((n) => [n, { total: [], reply: [] }]));
  const tp = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) for (let i = 0; i < warmup; i++) await targets[n](execute('1'));
  for (let done = 0; done < iters; done += BLOCK) {
    for (const n of names) {
      for (let i = 0; i < Math.min(BLOCK, iters - done); i++) {
        const r = oneRoundTrip(await targets[n](execute('1')));
        rt[n].total.push(r.total);
        rt[n].reply.push(r.reply);
      }
    }
  }
  for (let i = 0; i < throughputN; i++) for (const n of names) tp[n].push(throughputRun(await targets[n](execute(THROUGHPUT_CODE))));
  const out = { execute: {}, throughput: {} };
  for (const n of names) {
    out.execute[n] = { ...summarize(rt[n].total), replyP50: summarize(rt[n].reply).p50 };
    const runs = tp[n];
    out.throughput[n] = { n: runs.length, runs, mbps: median(runs.map((r) => r.mbps)), secs: median(runs.map((r) => r.secs)), complete: runs.every((r) => r.complete) };
  }
  return out;
}

/** 2 + 3 for one server: WebSocket in each framing (own kernel each) interleaved with the direct-ZMQ floor. */
async function executeAndThroughput(server, direct, { warmup, iters, throughputN, framings }) {
  const out = { errors: [] };
  const kernels = [];
  const sockets = {};
  try {
    const targets = { zmq: (content) => direct.request('execute_request', content, { timeoutMs: 120000 }) };
    for (const framing of framings) {
      const { id } = await server.rest.startKernel(KERNEL);
      kernels.push(id);
      const ws = await KernelWs.open(server, id, framing);
      sockets[framing] = ws;
      await ws.request('shell', 'kernel_info_request', {}, { timeoutMs: 60000 });
      targets[framing] = (content) => ws.request('shell', 'execute_request', content, { timeoutMs: 120000 });
    }
    Object.assign(out, await interleaved(targets, { warmup, iters, throughputN }));
    for (const [n, t] of Object.entries(out.throughput)) {
      if (!t.complete) out.errors.push(`${n}: iopub output incomplete (${t.runs.map((r) => r.streamBytes).join('/')} of ${THROUGHPUT_BYTES} bytes)`);
    }
    for (const [framing, ws] of Object.entries(sockets)) {
      out.execute[framing].negotiated = ws.framing;
      if (ws.errors.length) out.errors.push(`${framing}: ${[...new Set(ws.errors)].join('; ')}`);
    }
    if (direct.badSignatures) out.errors.push(`direct ZMQ: ${direct.badSignatures} messages with a bad signature`);
  } finally {
    for (const ws of Object.values(sockets)) await ws.close();
    for (const id of kernels) await server.rest.deleteKernel(id).catch((e) => out.errors.push(`delete kernel: ${e.message}`));
  }
  return out;
}

/**
 * 3b: relay throughput with the firehose kernel, direct ZeroMQ floor and each
 * framing (own kernel each) taking turns, `n` runs per variant and path.
 */
async function relayThroughput(server, direct, { n }) {
  const out = { errors: [], variants: {} };
  const kernels = [];
  const sockets = {};
  try {
    for (const framing of ['v1', 'legacy']) {
      const { id } = await server.rest.startKernel('firehose');
      kernels.push(id);
      sockets[framing] = await KernelWs.open(server, id, framing);
      await sockets[framing].request('shell', 'kernel_info_request', {}, { timeoutMs: 60000 });
    }
    for (const v of RELAY_VARIANTS) {
      const paths = { zmq: (c) => direct.request('execute_request', c, { timeoutMs: 300000 }) };
      for (const f of v.framings) paths[f] = (c) => sockets[f].request('shell', 'execute_request', c, { timeoutMs: 300000 });
      const runs = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
      // The client counts content JSON bytes (v1) or text characters (legacy): every message's text arrived.
      const want = v.count * v.bytes;
      for (let i = 0; i < n; i++) {
        for (const [k, run] of Object.entries(paths)) {
          const c0 = procCpuSeconds(server.child.pid);
          const e = await run(execute(`emit ${v.count} ${v.bytes}`));
          const cpu = k === 'zmq' ? NaN : procCpuSeconds(server.child.pid) - c0;
          const secs = (e.tDone - e.t0) / 1000;
          runs[k].push({ secs, serverCpuS: cpu, mbps: (v.count * v.bytes) / 1e6 / secs, msgsPerS: v.count / secs, streamBytes: e.streamBytes, complete: e.streamBytes >= want && e.streamBytes <= want + 64 * v.count });
        }
      }
      out.variants[v.key] = {};
      for (const [k, r] of Object.entries(runs)) {
        // Server process CPU (itself, not its kernels) per MB relayed, over all runs: 10 ms ticks, so summed.
        const cpuMsPerMb = k === 'zmq' ? undefined : (1000 * r.reduce((a, x) => a + x.serverCpuS, 0)) / ((r.length * v.count * v.bytes) / 1e6);
        out.variants[v.key][k] = { runs: r, mbps: median(r.map((x) => x.mbps)), msgsPerS: median(r.map((x) => x.msgsPerS)), cpuMsPerMb };
        if (!r.every((x) => x.complete)) out.errors.push(`relay ${v.label} ${k}: output incomplete (${r.map((x) => x.streamBytes).join('/')} of ${want} content bytes)`);
      }
    }
    for (const [framing, ws] of Object.entries(sockets)) if (ws.errors.length) out.errors.push(`relay ${framing}: ${[...new Set(ws.errors)].join('; ')}`);
  } finally {
    for (const ws of Object.values(sockets)) await ws.close();
    for (const id of kernels) await server.rest.deleteKernel(id).catch((e) => out.errors.push(`delete kernel: ${e.message}`));
  }
  return out;
}

/**
 * Wait (bounded) until the server and its kernels are quiet (< 10% of one CPU
 * over a second), so kernel boot CPU does not pollute the REST timings. Server
 * agnostic: jupyter_server keeps reporting `starting` for kernels no client watched.
 */
async function waitCpuQuiet(pid, { timeoutMs = 180000, windowMs = 1000, maxShare = 0.1 } = {}) {
  const t0 = Date.now();
  let prev = treeCpuSeconds(pid);
  for (;;) {
    await sleep(windowMs);
    const cur = treeCpuSeconds(pid);
    const share = (cur - prev) / (windowMs / 1000);
    prev = cur;
    if (share < maxShare) return { settled: true, secs: (Date.now() - t0) / 1000 };
    if (Date.now() - t0 > timeoutMs) return { settled: false, share };
  }
}

async function loadLoop(server, path, { clients, perClient, warmupPerClient }) {
  const rest = new RestClient(server.baseUrl, server.token, { maxSockets: clients });
  try {
    const one = async () => {
      const t = now();
      const r = await rest.get(path);
      if (r.status !== 200) throw new Error(`GET ${path} -> ${r.status}`);
      return { ms: now() - t, count: Array.isArray(r.body) ? r.body.length : -1 };
    };
    await Promise.all(Array.from({ length: clients }, async () => { for (let i = 0; i < warmupPerClient; i++) await one(); }));
    const lat = [];
    const counts = new Set();
    const t0 = now();
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) { const r = await one(); lat.push(r.ms); counts.add(r.count); }
    }));
    const wall = now() - t0;
    return { ...summarize(lat), rps: lat.length / (wall / 1000), clients, perClient, listLengths: [...counts] };
  } finally {
    rest.close();
  }
}

/** Debian's wrk (a C load generator): far less client CPU on this 2-core machine than the Node loops. */
function wrkAvailable() {
  return require('child_process').spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** `wrk -t1 -c<clients> -d<secs>s --latency` on one GET: req/s, p50, p99 (ms), after a warm-up run. */
function wrkLoad(server, path, { clients, secs }) {
  const { execFileSync } = require('child_process');
  const args = ['-t1', `-c${clients}`, `-d${secs}s`, '--latency', '-H', `Authorization: token ${server.token}`, `${server.baseUrl.replace(/\/$/, '')}${path}`];
  execFileSync('wrk', args.map((a) => (a.startsWith('-d') ? '-d3s' : a)), { encoding: 'utf8' });
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const ms = (label) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 })[m[2]] : undefined;
  };
  const rps = Number((/Requests\/sec:\s+([\d.]+)/.exec(out) || [])[1]);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (bad) throw new Error(`wrk GET ${path}: ${bad[1]} non-2xx responses`);
  return { rps, p50: ms('50%'), p99: ms('99%'), clients, secs };
}

/** 4. GET /api/kernels and /api/sessions under concurrent load with `sessions` sessions (kernels) running. */
async function restLoad(server, { sessions, clients, perClient, startConcurrency = 5 }) {
  const out = { sessions, errors: [] };
  const created = [];
  try {
    const t0 = now();
    await mapLimit(Array.from({ length: sessions }, (_, i) => i), startConcurrency, async (i) => {
      // A failed start is recorded as a problem, then retried (twice at most) so the load test still runs.
      for (let attempt = 1; ; attempt++) {
        try {
          const s = await server.rest.createSession(i, KERNEL);
          created.push(s.id);
          return;
        } catch (e) {
          out.errors.push(`session ${i}, attempt ${attempt}: ${e.message}`);
          if (attempt >= 3) throw e;
        }
      }
    });
    out.createSecs = (now() - t0) / 1000;
    out.settle = await waitCpuQuiet(server.child.pid);
    if (!out.settle.settled) out.errors.push(`server + kernels still busy (${(100 * out.settle.share).toFixed(0)}% CPU) after 180 s`);
    out.machineQuiet = await waitMachineQuiet({ timeoutMs: 30000 });
    // Warm both endpoints first (JIT, connection pools), then time each.
    await loadLoop(server, '/api/kernels', { clients, perClient: WARMUP_PER_CLIENT, warmupPerClient: 0 });
    await loadLoop(server, '/api/sessions', { clients, perClient: WARMUP_PER_CLIENT, warmupPerClient: 0 });
    out.kernels = await loadLoop(server, '/api/kernels', { clients, perClient, warmupPerClient: 2 });
    out.sessionsGet = await loadLoop(server, '/api/sessions', { clients, perClient, warmupPerClient: 2 });
    if (wrkAvailable()) {
      out.wrkKernels = wrkLoad(server, '/api/kernels', { clients, secs: 10 });
      out.wrkSessions = wrkLoad(server, '/api/sessions', { clients, secs: 10 });
    } else out.errors.push('wrk not installed (apt-get install wrk): the wrk rows of step 4 are missing');
    for (const [k, v] of [['kernels', out.kernels], ['sessions', out.sessionsGet]]) {
      if (v.listLengths.some((n) => n !== sessions)) out.errors.push(`GET /api/${k} returned ${v.listLengths.join('/')} entries, expected ${sessions}`);
    }
  } finally {
    await mapLimit(created, startConcurrency, (id) => server.rest.deleteSession(id).catch((e) => out.errors.push(`delete session: ${e.message}`)));
    // Anything left (e.g. a session whose kernel outlived it) goes too.
    const left = await server.rest.listKernels().catch(() => []);
    await mapLimit(left, startConcurrency, (k) => server.rest.deleteKernel(k.id).catch(() => {}));
    if (left.length) out.errors.push(`${left.length} kernel(s) still listed after deleting the sessions`);
  }
  return out;
}

module.exports = { WARMUP_PER_CLIENT, BLOCK, RELAY_VARIANTS, kernelStart, executeAndThroughput, relayThroughput, restLoad, wrkLoad, THROUGHPUT_MB, THROUGHPUT_CODE };
