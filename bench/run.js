#!/usr/bin/env node
'use strict';
// Side-by-side kernel-gateway benchmark: Workbench vs Debian's jupyter_server,
// same python3 kernel, plus a direct-ZeroMQ floor. See bench/README.md.
//
//   node bench/run.js [--quick] [--only=workbench|jupyter] [--no-write|--write] [--json=FILE] [--logs=DIR]
const fs = require('fs');
const path = require('path');
const { startJupyter, startWorkbench, stopServer, REPO, FIREHOSE_ARGV } = require('./lib/servers');
const { DirectKernel } = require('./lib/zmqdirect');
const { killAllSync } = require('./lib/procs');
const { LoadMonitor, waitMachineQuiet } = require('./lib/load');
const M = require('./lib/measures');
const { machineInfo, renderSection, writeSection } = require('./lib/report');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const known = /^--(quick|write|no-write|only=(workbench|jupyter)|json=.+|logs=.+|help)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || flag('help')) {
  console.error(`usage: node bench/run.js [--quick] [--only=workbench|jupyter] [--no-write|--write] [--json=FILE] [--logs=DIR]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}

const quick = flag('quick');
const only = value('only');
const opts = quick
  ? { quick, startN: 2, warmup: 5, iters: 30, throughputN: 1, sessions: 10, clients: 50, perClient: 10 }
  : { quick, startN: 5, warmup: 20, iters: 200, throughputN: 3, sessions: 50, clients: 50, perClient: 40 };
Object.assign(opts, { framings: ['v1', 'legacy'], startConcurrency: 5, throughputMb: M.THROUGHPUT_MB, restWarmup: M.WARMUP_PER_CLIENT, block: M.BLOCK });
const write = flag('write') || (!quick && !flag('no-write'));
const OUT = path.join(REPO, 'BENCHMARKS.md');

// Whatever happens, no process we started survives us.
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`\n${sig}: cleaning up`); killAllSync(); process.exit(130); });
const WATCHDOG_MIN = quick ? 15 : 60;
setTimeout(() => { console.error(`watchdog: still running after ${WATCHDOG_MIN} min, giving up`); killAllSync(); process.exit(3); }, WATCHDOG_MIN * 60000).unref();

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Run one measurement: wait (bounded) for a quiet machine, record background load, keep going on failure. */
async function step(res, key, name, fn) {
  const q = await waitMachineQuiet({ timeoutMs: quick ? 10000 : 30000 });
  log(`  ${name} ...${q.quiet ? '' : ` (machine still ${(100 * q.busy).toFixed(0)}% busy after ${q.waitedS.toFixed(0)} s; going on)`}`);
  const mon = new LoadMonitor();
  try {
    return await fn();
  } catch (e) {
    log(`  ${name} FAILED: ${e.message}`);
    res.errors.push(`${name}: ${e.message}`);
    res.failedSteps = (res.failedSteps || 0) + 1;
    return undefined;
  } finally {
    res.load = res.load || {};
    res.load[key] = { ...mon.stop(), waitedS: q.waitedS, quietBefore: q.quiet };
  }
}

async function benchServer(label, start) {
  const res = { errors: [] };
  let server;
  log(`${label}: starting`);
  try {
    server = await start();
    res.command = server.command.replace(/[0-9a-f]{32}/, 'TOKEN').replace(/--port=\d+/, '--port=PORT').replace(/\/tmp\/wb-bench-[^/ ]+/g, '$TMP');
    log(`${label}: listening on ${server.baseUrl}`);
    res.start = await step(res, 'start', '1 kernel start', () => M.kernelStart(server, { n: opts.startN }));
    res.wsx = await step(res, 'wsx', '2+3 execute round trip and iopub throughput (interleaved with direct ZMQ)', async () => {
      const direct = await DirectKernel.start();
      res.directCommand = direct.command.replace(/\/tmp\/wb-bench-[^/ ]+/g, '$TMP');
      try {
        return await M.executeAndThroughput(server, direct, opts);
      } finally {
        await direct.stop();
      }
    });
    if (res.wsx) res.errors.push(...res.wsx.errors);
    res.relay = await step(res, 'relay', '3b relay throughput (firehose kernel, interleaved with direct ZMQ)', async () => {
      const direct = await DirectKernel.start({ argv: FIREHOSE_ARGV, kernelName: 'firehose' });
      try {
        return await M.relayThroughput(server, direct, { n: opts.throughputN });
      } finally {
        await direct.stop();
      }
    });
    if (res.relay) res.errors.push(...res.relay.errors);
    res.rest = await step(res, 'rest', `4 REST under load (${opts.sessions} sessions)`, () =>
      M.restLoad(server, { sessions: opts.sessions, clients: opts.clients, perClient: opts.perClient, startConcurrency: opts.startConcurrency }));
    if (res.rest) res.errors.push(...res.rest.errors);
  } catch (e) {
    log(`${label}: ${e.message}`);
    res.errors.push(e.message);
    res.failedSteps = (res.failedSteps || 0) + 1;
  } finally {
    if (server && server.child.exited && !res.errors.length) res.errors.push('server exited during the run');
    if (server) res.serverLogTail = server.log.slice(-30);
    if (server && value('logs')) {
      fs.mkdirSync(value('logs'), { recursive: true });
      fs.writeFileSync(path.join(value('logs'), `${server.kind}.log`), `${server.log.all.join('\n')}\n`);
    }
    if (server && server.log.issues.length) {
      res.errors.push(`server logged ${server.log.issues.length}${server.log.issues.length >= 20 ? '+' : ''} warning/error line(s), e.g. ${server.log.issues.slice(0, 3).join(' | ')}`);
    }
    if (server) server.rest.close();
    await stopServer(server);
    log(`${label}: stopped`);
  }
  return res;
}

/** Step 4's wrk rows need Debian's wrk: install it like scripts/setup.js installs packages (root or passwordless sudo), else say how. */
function ensureWrk() {
  const { spawnSync } = require('child_process');
  if (!spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error) return;
  const isRoot = process.getuid && process.getuid() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    log('wrk is not installed and cannot be installed from here (sudo apt-get install wrk); step 4 runs without its wrk rows');
    return;
  }
  log('installing Debian package wrk');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync(sudo[0] || 'apt-get', sudo.length ? [...sudo.slice(1), 'apt-get', ...args] : args, { stdio: 'inherit', env });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'wrk']);
}

async function main() {
  const meta = machineInfo(REPO);
  meta.command = `node bench/run.js${argv.length ? ` ${argv.map((a) => a.replace(/^--(json|logs)=.*/, '--$1=FILE')).join(' ')}` : ''}`;
  const results = { meta, opts, servers: {} };
  log(`bench: ${quick ? 'quick' : 'full'} run${only ? `, only ${only}` : ''}`);
  ensureWrk();
  if (only !== 'jupyter') {
    if (!fs.existsSync(path.join(REPO, 'server', 'app', 'lib', 'cli.js'))) {
      results.servers.workbench = { errors: ['not built: server/app/lib/cli.js missing (run `npm run build`)'] };
      log('Workbench: not built, skipped');
    } else {
      results.servers.workbench = await benchServer('Workbench', startWorkbench);
    }
  }
  if (only !== 'workbench') results.servers.jupyter = await benchServer('jupyter_server', startJupyter);

  const section = renderSection(results);
  console.log(section);
  if (write) { writeSection(OUT, section); log(`wrote ${OUT}`); } else log('not writing BENCHMARKS.md (--quick without --write, or --no-write)');
  const jsonOut = value('json');
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  // Exit 1 if any step failed, or Workbench / the floor showed any problem (jupyter_server's own
  // problems, e.g. kernels lost to port races, are reported but are not ours to fail on).
  // (The direct-ZMQ floor runs inside each server's step 2+3, so its problems land there.)
  const wb = results.servers.workbench;
  const failed = (wb && wb.errors.length) || Object.values(results.servers).some((s) => s.failedSteps);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => killAllSync());
