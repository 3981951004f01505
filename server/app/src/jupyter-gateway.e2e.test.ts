/**
 * A stock jupyter_server (Debian's jupyter-server 1.23) started with
 * --gateway-url pointing at Workbench: its users run code through it and
 * the kernels live in Workbench.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelManager } from '@jupyterlab/services';
import { makeSettings, startTestServer, TestServer, TOKEN } from './testing/harness';

const JUPYTER_SERVER = '/usr/bin/jupyter-server';

/**
 * A TCP port (0: the system's pick, held from start to end) in front of a unix socket. jupyter-server
 * listens on a socket file in the test's folder: a port picked free here and handed to it would stay
 * free for anyone to take until it binds.
 */
async function tcpFront(socketPath: string): Promise<{ port: number; close(): Promise<void> }> {
  const pairs = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    pairs.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of pairs) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('jupyter-server --gateway-url=<workbench>', () => {
  let ts: TestServer;
  let jupyter: ChildProcess;
  let front: Awaited<ReturnType<typeof tcpFront>>;
  let dir: string;
  let jupyterUrl: string;

  beforeAll(async () => {
    if (!existsSync(JUPYTER_SERVER)) throw new Error(`${JUPYTER_SERVER} is missing: run npm install (scripts/setup.js installs Debian's jupyter-server)`);
    // Secrets in the server's environment must never reach a kernel.
    ts = await startTestServer([], { ...process.env, JUPYTER_TOKEN: 'server-secret', WB_DB_PASSWORD: 's3cret' });
    dir = await mkdtemp(join(tmpdir(), 'wb-jgw-'));
    const socketPath = join(dir, 'jupyter.sock');
    jupyter = spawn(JUPYTER_SERVER, ['--no-browser', '--allow-root', `--sock=${socketPath}`, '--ServerApp.token=jtoken', `--ServerApp.root_dir=${dir}`, `--gateway-url=${ts.baseUrl.replace(/\/$/, '')}`, `--GatewayClient.auth_token=${TOKEN}`], {
      env: { ...process.env, JUPYTER_CONFIG_DIR: join(dir, '.cfg'), JUPYTER_DATA_DIR: join(dir, '.data'), JUPYTER_RUNTIME_DIR: join(dir, '.rt') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // Ready when it logs its URL (it logs to stderr).
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const on = (d: Buffer) => {
        log += d.toString();
        if (/is running at|Use Control-C/.test(log)) resolve();
      };
      jupyter.stderr!.on('data', on);
      jupyter.stdout!.on('data', on);
      jupyter.once('exit', (code) => reject(new Error(`jupyter-server exited with ${code}: ${log}`)));
    });
    front = await tcpFront(socketPath);
    jupyterUrl = `http://127.0.0.1:${front.port}/`;
  });

  afterAll(async () => {
    await front?.close();
    if (jupyter?.pid) {
      const exited = new Promise((r) => jupyter.once('exit', r));
      process.kill(-jupyter.pid, 'SIGTERM');
      await exited;
    }
    await ts?.[Symbol.asyncDispose]();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists our kernelspecs, starts a kernel in Workbench and executes code through it', async () => {
    const settings = makeSettings(jupyterUrl, 'jtoken');
    const specs = (await (await fetch(`${jupyterUrl}api/kernelspecs`, { headers: { Authorization: 'token jtoken' } })).json()) as { kernelspecs: Record<string, unknown> };
    expect(Object.keys(specs.kernelspecs)).toEqual(expect.arrayContaining(['python3', 'tslab']));
    const manager = new KernelManager({ serverSettings: settings });
    const k = await manager.startNew({ name: 'python3' });
    expect(ts.wb.kernels.has(k.id)).toBe(true); // the kernel lives in Workbench
    // jupyter_server 1.23 forwards KERNEL_USERNAME etc. as env; Workbench accepts KERNEL_*.
    const future = k.requestExecute({ code: "import os\nprint('via gateway', 6*7)\n(os.environ.get('JUPYTER_TOKEN'), os.environ.get('WB_DB_PASSWORD'), os.environ.get('KERNEL_USERNAME') is not None)" });
    const texts: string[] = [];
    let result = '';
    future.onIOPub = (m) => {
      if (m.header.msg_type === 'stream') texts.push((m.content as { text: string }).text);
      if (m.header.msg_type === 'execute_result') result = (m.content as { data: Record<string, string> }).data['text/plain']!;
    };
    const reply = await future.done;
    expect(reply.content.status).toBe('ok');
    expect(texts.join('')).toBe('via gateway 42\n');
    expect(result).toBe('(None, None, True)');
    await k.shutdown();
    expect(ts.wb.kernels.has(k.id)).toBe(false);
    manager.dispose();
  });
});
