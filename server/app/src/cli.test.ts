/**
 * The `workbench` command as a person runs it: prints the URL with the
 * real port and token, honours jupyter_server_config.json, and on SIGTERM
 * or SIGINT stops every kernel and exits 0 with no orphan process.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'workbench.js');

function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<URL>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = new Promise<URL>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/lab\?token=\S+)/.exec(out);
      if (m) resolve(new URL(m[1]!));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing a URL: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exit };
}

function running(pid: number): boolean {
  try {
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string;
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** All processes below `pid` (children of every thread, recursively). */
function descendants(pid: number): number[] {
  const fs = require('node:fs') as typeof import('node:fs');
  const out: number[] = [];
  const visit = (p: number): void => {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids: number[] = [];
      try {
        kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        /* the thread ended */
      }
      for (const k of kids) {
        out.push(k);
        visit(k);
      }
    }
  };
  visit(pid);
  return out;
}

describe('workbench CLI', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-cli-'));
    env = { ...process.env, JUPYTER_CONFIG_DIR: join(dir, 'cfg'), JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), WORKBENCH_DATA_DIR: join(dir, 'data') };
    delete env.JUPYTER_TOKEN;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('prints the URL, creates the root, serves kernels, and on %s stops them all and exits 0', async (signal) => {
    const { child, url, exit } = startCli(['--port', '0', '--no-browser', '--root-dir', join(dir, 'ws')], env);
    const u = await url;
    const token = u.searchParams.get('token')!;
    expect(token).toMatch(/^[0-9a-f]{48}$/); // generated
    expect(existsSync(join(dir, 'ws'))).toBe(true);
    expect(Number(u.port)).toBeGreaterThan(0);
    const auth = { Authorization: `token ${token}` };
    const res = await fetch(new URL('/api/kernels', u), { method: 'POST', headers: auth, body: '{"name":"python3"}' });
    expect(res.status).toBe(201);
    const kernelId = ((await res.json()) as { id: string }).id;
    expect(kernelId).toBeTruthy();
    const ps = await fetch(new URL('/api/status', u), { headers: auth });
    expect(((await ps.json()) as { kernels: number }).kernels).toBe(1);
    // Every process below the server: the sandbox (bwrap) and the kernel inside it.
    const pids = descendants(child.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    child.kill(signal);
    expect(await exit).toBe(0);
    for (const pid of pids) expect([pid, running(pid)]).toEqual([pid, false]);
  });

  it('on POST /api/shutdown from the admin answers, stops kernels and terminals, and exits 0', async () => {
    // The terminal's login shell gets a home of its own, so the machine's ~/.bashrc plays no part.
    await mkdir(join(dir, 'home'));
    const { child, url, exit } = startCli(['--port', '0', '--no-browser', '--root-dir', join(dir, 'ws')], { ...env, HOME: join(dir, 'home') });
    const u = await url;
    const auth = { Authorization: `token ${u.searchParams.get('token')}` };
    expect((await fetch(new URL('/api/kernels', u), { method: 'POST', headers: auth, body: '{"name":"python3"}' })).status).toBe(201);
    expect((await fetch(new URL('/api/terminals', u), { method: 'POST', headers: auth, body: '{}' })).status).toBe(200);
    const pids = descendants(child.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(3); // the sandbox, the kernel in it, and the shell
    const res = await fetch(new URL('/api/shutdown', u), { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(await exit).toBe(0);
    for (const pid of pids) expect([pid, running(pid)]).toEqual([pid, false]);
  });

  it('takes token, root dir and culling from an existing jupyter_server_config.json', async () => {
    await mkdir(join(dir, 'cfg'));
    await writeFile(join(dir, 'cfg', 'jupyter_server_config.json'), JSON.stringify({ ServerApp: { token: 'from-jupyter-config', root_dir: join(dir, 'nbroot') }, MappingKernelManager: { cull_idle_timeout: 600 } }));
    const { child, url, exit } = startCli(['--port', '0', '--no-browser'], env);
    const u = await url;
    expect(u.searchParams.get('token')).toBe('from-jupyter-config');
    expect(existsSync(join(dir, 'nbroot'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('rejects a bad flag with usage and exit code 2', async () => {
    const { url, exit } = startCli(['--port', 'eighty'], env);
    url.catch(() => undefined);
    expect(await exit).toBe(2);
  });
});
