/**
 * Kernels in the sandbox, as a user sees them through @jupyterlab/services:
 * limits that hold (memory, processes, CPU), nothing of the server's or other
 * users' in sight, no network, and an out-of-memory death told as such.
 * Real ipykernel in real bubblewrap and cgroups.
 */
import { KernelManager, Kernel, KernelMessage } from '@jupyterlab/services';
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCell } from './testing/run-cell';
import { api, startTestServer, TestServer } from './testing/harness';

async function startKernel(ts: TestServer, manager: KernelManager, env: Record<string, string> = {}): Promise<Kernel.IKernelConnection> {
  const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', env }) });
  expect(res.status).toBe(201);
  const model = (await res.json()) as Kernel.IModel;
  const k = manager.connectTo({ model });
  await k.info;
  return k;
}

describe('a sandboxed Python kernel', () => {
  let ts: TestServer;
  let manager: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { memory_limit: '256Mi', pids_limit: 64 } });
    manager = new KernelManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('is killed when a cell allocates past the memory limit, and clients are told "out of memory (limit 256 MiB)"', async () => {
    const k = await startKernel(ts, manager);
    const restarting = new Promise<void>((resolve) => k.statusChanged.connect((_s, st) => st === 'autorestarting' && resolve()));
    const future = k.requestExecute({ code: "blob = b'x' * (600 * 1024 * 1024)" });
    // The reason shows as output of the cell that died (JupyterLab then drops the cell's request).
    const told = new Promise<string>((resolve) => {
      future.onIOPub = (m) => {
        const text = m.header.msg_type === 'stream' ? (m.content as KernelMessage.IStreamMsg['content']).text : '';
        if (text.includes('out of memory')) resolve(text);
      };
    });
    future.done.catch(() => undefined);
    expect(await told).toMatch(/out of memory \(limit 256 MiB\)/);
    await restarting;
    // The restarted kernel works (and the big object is gone with the old process); the request
    // waits in the client until its socket is back.
    expect((await runCell(k, "print('blob' in dir())")).stdout).toBe('False');
    await k.shutdown();
  });

  it('cannot fork past the pids limit: a fork bomb is stopped with EAGAIN', async () => {
    const k = await startKernel(ts, manager);
    const code = [
      'import os, errno, time',
      'pids, err = [], None',
      'for i in range(500):',
      '    try:',
      '        pid = os.fork()',
      '    except OSError as e:',
      '        err = e.errno',
      '        break',
      '    if pid == 0:',
      '        time.sleep(60)',
      '        os._exit(0)',
      '    pids.append(pid)',
      'for p in pids:',
      '    os.kill(p, 9)',
      '    os.waitpid(p, 0)',
      'print(len(pids), errno.errorcode.get(err))',
    ].join('\n');
    const { stdout } = await runCell(k, code);
    const [forked, why] = stdout.split(' ');
    expect(Number(forked)).toBeLessThan(64);
    expect(why).toBe('EAGAIN');
    // The kernel is fine afterwards.
    expect((await runCell(k, 'print(1 + 1)')).stdout).toBe('2');
    await k.shutdown();
  });

  it("sees neither the server's files nor other users' directories, runs as a non-root uid, and can write the workspace", async () => {
    const testDir = dirname(ts.rootDir); // holds the server's runtime, data and config next to the workspace
    const other = join(testDir, 'home-of-another-user');
    await mkdir(other);
    await writeFile(join(other, 'secret.txt'), 'not yours');
    const runtimeFiles = [ts.wb.config.runtimeDir, ts.wb.config.dataDir, join(testDir, 'config.json'), join(other, 'secret.txt'), '/etc/shadow'];
    const hostHome = (await readdir(homedir())).filter((f) => !['.ipython', '.cache', '.local', '.config'].includes(f));
    const k = await startKernel(ts, manager);
    const code = [
      'import os, json',
      'seen = {}',
      `for p in ${JSON.stringify(runtimeFiles)}:`,
      '    try:',
      '        seen[p] = "readable" if os.path.isfile(p) and open(p).read(1) is not None else ("listable: %d" % len(os.listdir(p)))',
      '    except OSError as e:',
      '        seen[p] = type(e).__name__',
      "open('written-by-kernel.txt', 'w').write('hello')",
      "print(json.dumps({'seen': seen, 'home': os.listdir(os.path.expanduser('~')), 'uid': os.getuid(), 'env': sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k)}))",
    ].join('\n');
    const { stdout, error } = await runCell(k, code);
    expect(error).toBeUndefined();
    const out = JSON.parse(stdout) as { seen: Record<string, string>; home: string[]; uid: number; env: string[] };
    for (const p of runtimeFiles) expect([p, out.seen[p]]).toEqual([p, 'FileNotFoundError']);
    // Its home is its own, empty but for what the kernel made: nothing of the server's home.
    expect(hostHome.length).toBeGreaterThan(0);
    expect(out.home.filter((f) => hostHome.includes(f))).toEqual([]);
    expect(out.uid).toBe(1000);
    expect(out.env).toEqual([]);
    expect(await readFile(join(ts.rootDir, 'written-by-kernel.txt'), 'utf8')).toBe('hello');
    await k.shutdown();
  });

  it('has no network: connecting to the server it runs under, or to PostgreSQL, fails', async () => {
    const k = await startKernel(ts, manager);
    const code = [
      'import socket',
      `for port in (${ts.wb.port}, 5432):`,
      '    try:',
      "        socket.create_connection(('127.0.0.1', port), timeout=5)",
      "        print(port, 'connected')",
      '    except OSError as e:',
      '        print(port, type(e).__name__)',
    ].join('\n');
    const { stdout } = await runCell(k, code);
    expect(stdout.split('\n')).toEqual([`${ts.wb.port} ConnectionRefusedError`, '5432 ConnectionRefusedError']);
    await k.shutdown();
  });

  it('is throttled by a CPU limit asked for with KERNEL_CPUS_LIMIT: a busy loop gets about that share of a core', async () => {
    const k = await startKernel(ts, manager, { KERNEL_CPUS_LIMIT: '200m' });
    const code = [
      'import time',
      't0, c0 = time.monotonic(), time.process_time()',
      'while time.monotonic() - t0 < 2.0: pass',
      'print(round((time.process_time() - c0) / (time.monotonic() - t0), 3))',
    ].join('\n');
    const share = Number((await runCell(k, code)).stdout);
    // 0.2 of a core, with slack for the quota period; unthrottled this loop takes a whole core.
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.35);
    await k.shutdown();
  });

  it('tells kernels their limits (MEM_LIMIT, CPU_LIMIT), and the SQL kernel keeps DuckDB inside them', async () => {
    const k = await startKernel(ts, manager, { KERNEL_CPUS_LIMIT: '1500m' });
    expect((await runCell(k, "import os; print(os.environ['MEM_LIMIT'], os.environ['CPU_LIMIT'])")).stdout).toBe(`${256 * 2 ** 20} 1.5`);
    await k.shutdown();
    const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'sql', env: { KERNEL_CPUS_LIMIT: '1500m' } }) });
    expect(res.status).toBe(201);
    const sql = manager.connectTo({ model: (await res.json()) as Kernel.IModel });
    const future = sql.requestExecute({ code: "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, current_setting('temp_directory') AS spill" });
    let row: Record<string, unknown> = {};
    future.onIOPub = (m) => {
      if (m.header.msg_type === 'execute_result') row = ((m.content as KernelMessage.IExecuteResultMsg['content']).data['application/vnd.dataresource+json'] as { data: Record<string, unknown>[] }).data[0]!;
    };
    await future.done;
    // 256 MiB less 192 MiB for the process, so DuckDB spills to disk before the sandbox kills the kernel; threads =
    // whole cores; spills go to the kernel's own folder (removed with it), not the notebook's folder in the workspace.
    expect(row).toMatchObject({ m: '64.0 MiB', t: 2, spill: expect.stringMatching(/^\/run\/workbench\/kernel-[0-9a-f-]+\.duckdb-tmp$/) });
    await sql.shutdown();
  });

  it('refuses a malformed KERNEL_MEMORY_LIMIT with a clear 400', async () => {
    const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', env: { KERNEL_MEMORY_LIMIT: 'lots' } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/KERNEL_MEMORY_LIMIT "lots".*512Mi/);
  });
});

describe('a root server with sandbox.host_uid', () => {
  const isRoot = process.getuid?.() === 0;
  let ts: TestServer;
  beforeAll(async () => {
    if (!isRoot) return;
    ts = await startTestServer([], process.env, { sandbox: { host_uid: 1000 } });
    // The workspace must be reachable and writable by that uid (the test's temp folder is 0700).
    await chmod(dirname(ts.rootDir), 0o711);
    await chown(ts.rootDir, 1000, 1000);
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  (isRoot ? it : it.skip)('runs kernels as that unprivileged uid on the host too; their files belong to it', async () => {
    const manager = new KernelManager({ serverSettings: ts.settings });
    const k = await startKernel(ts, manager);
    const { error } = await runCell(k, "open('mine.txt', 'w').write('x')");
    expect(error).toBeUndefined();
    expect((await stat(join(ts.rootDir, 'mine.txt'))).uid).toBe(1000);
    await k.shutdown();
    manager.dispose();
  });
});
