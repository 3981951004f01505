'use strict';
// Starting and stopping the two servers under test.
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawnGroup, stopGroup, trackDir } = require('./procs');
const { freePorts, sleep } = require('./util');
const { RestClient } = require('./rest');

const REPO = path.resolve(__dirname, '..', '..');

/**
 * A JUPYTER_PATH folder holding the `firehose` kernelspec (firehose-kernel.js), made
 * once per benchmark run; both servers and the direct floor run the same kernel.
 * In Workbench's sandbox it needs the repository (zeromq) readable.
 */
let firehoseDir;
function firehoseJupyterPath() {
  if (firehoseDir) return firehoseDir;
  firehoseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-bench-kernels-'));
  trackDir(firehoseDir);
  const spec = path.join(firehoseDir, 'kernels', 'firehose');
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify({
    argv: FIREHOSE_ARGV, display_name: 'Firehose (benchmark)', language: 'text',
    metadata: { workbench: { sandbox: { read_only_paths: [REPO] } } },
  }, null, 1));
  return firehoseDir;
}
const FIREHOSE_ARGV = [process.execPath, path.join(__dirname, 'firehose-kernel.js'), '{connection_file}'];

/** A scratch directory with an isolated Jupyter/IPython environment. */
function makeSandbox(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wb-bench-${label}-`));
  trackDir(dir);
  const sub = (n) => { const p = path.join(dir, n); fs.mkdirSync(p, { recursive: true }); return p; };
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: sub('config'),
    JUPYTER_RUNTIME_DIR: sub('runtime'),
    WORKBENCH_DATA_DIR: sub('data'),
    IPYTHONDIR: sub('ipython'),
    JUPYTER_PATH: [firehoseJupyterPath(), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  return { dir, rootDir: sub('root'), env };
}

/** Warning/error lines: pino JSON with level >= 40, or tornado-style `[W ...` / `[E ...` / `[C ...`. */
function isIssue(line) {
  if (/^\[(W|E|C) /.test(line)) return true;
  if (line.startsWith('{')) { try { return JSON.parse(line).level >= 40; } catch { return false; } }
  return /Traceback|Error:/.test(line);
}

function collectOutput(child, label, onLine) {
  const tail = [];
  tail.issues = [];
  tail.all = []; // full output (bounded) for --logs
  const handle = (stream) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail.push(line);
        if (tail.all.length < 100000) tail.all.push(line);
        if (tail.length > 200) tail.shift();
        if (isIssue(line) && tail.issues.length < 20) tail.issues.push(line.slice(0, 400));
        if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${line}\n`);
        if (onLine) onLine(line);
      }
    });
  };
  handle(child.stdout);
  handle(child.stderr);
  return tail;
}

async function waitReady(server, child, portPromise, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const exited = new Promise((_, rej) => child.once('exit', (code, sig) =>
    rej(new Error(`${server.label} exited early (code ${code}, signal ${sig}):\n${server.log.slice(-20).join('\n')}`))));
  exited.catch(() => {});
  server.port = await Promise.race([portPromise, exited]);
  server.baseUrl = `http://127.0.0.1:${server.port}`;
  server.rest = new RestClient(server.baseUrl, server.token);
  while (Date.now() < deadline) {
    if (child.exited) await exited;
    try {
      const r = await server.rest.get('/api/kernelspecs');
      if (r.status === 200) { server.kernelspecs = r.body; return server; }
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`${server.label} not ready after ${timeoutMs} ms:\n${server.log.slice(-20).join('\n')}`);
}

async function startJupyter() {
  const sb = makeSandbox('jupyter');
  const token = crypto.randomBytes(16).toString('hex');
  const [port] = await freePorts(1);
  const args = [
    '--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1', `--port=${port}`,
    '--ServerApp.port_retries=0', `--ServerApp.token=${token}`, `--ServerApp.root_dir=${sb.rootDir}`,
    // The default iopub limits (1 MB/s, 1000 messages/s) would drop most of the
    // throughput cells' output; disable them so both servers relay every byte.
    '--ServerApp.iopub_data_rate_limit=0', '--ServerApp.iopub_msg_rate_limit=0', ...(process.env.JS_NO_MSG_LIMIT ? ['--ServerApp.iopub_msg_rate_limit=0'] : []),
  ];
  const child = spawnGroup('jupyter-server', args, { env: sb.env, cwd: sb.rootDir });
  const server = { label: 'jupyter_server', kind: 'jupyter', token, child, sandbox: sb, command: `jupyter-server ${args.join(' ')}` };
  server.log = collectOutput(child, 'jupyter');
  return waitReady(server, child, Promise.resolve(port), 60000);
}

/** extraArgs: e.g. ['--log-level', 'debug'] when chasing a problem (not used by the benchmark). */
async function startWorkbench(extraArgs = []) {
  const sb = makeSandbox('workbench');
  const token = crypto.randomBytes(16).toString('hex');
  const args = [path.join(REPO, 'bin', 'workbench.js'), '--port', '0', '--no-browser', '--token', token, '--root-dir', sb.rootDir, ...extraArgs];
  const child = spawnGroup(process.execPath, args, { env: sb.env, cwd: sb.rootDir });
  const server = { label: 'Workbench', kind: 'workbench', token, child, sandbox: sb, command: `node bin/workbench.js ${args.slice(1).join(' ')}` };
  let resolvePort;
  const portPromise = new Promise((r) => { resolvePort = r; });
  server.log = collectOutput(child, 'workbench', (line) => {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=/.exec(line);
    if (m) resolvePort(Number(m[1]));
  });
  return waitReady(server, child, portPromise, 60000);
}

async function stopServer(server) {
  if (!server) return;
  await stopGroup(server.child, 8000);
  try { fs.rmSync(server.sandbox.dir, { recursive: true, force: true }); } catch { /* ignore */ }
}

module.exports = { startJupyter, startWorkbench, stopServer, makeSandbox, REPO, FIREHOSE_ARGV };
