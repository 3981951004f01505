/**
 * The shared contract every Launcher must pass. A launcher package calls
 * `describeLauncherContract` from its own test file with a factory; the
 * "kernel" is a small Node script (and a child it spawns) that reports over
 * a Unix socket in the kernel's working directory, so every assertion waits
 * on an event and none on a timer, and it works where the kernel has no
 * network and its own pid namespace (a sandbox, a pod): a process is known
 * to be gone when its connection closes, whatever its pid looks like inside.
 */
import { createServer, Server, Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Launcher, LaunchRequest } from './launcher';

const CHILD = `
const net = require('net');
const sock = net.connect(process.env.CONTRACT_REPORT_SOCKET);
const say = (o) => sock.write(JSON.stringify(o) + '\\n');
process.on('SIGINT', () => say({ event: 'child-sigint' }));
sock.on('connect', () => say({ event: 'child-ready', who: 'child' }));
setInterval(() => {}, 1000);
`;

const PROBE = `
const net = require('net'); const fs = require('fs'); const cp = require('child_process');
const sock = net.connect(process.env.CONTRACT_REPORT_SOCKET);
const say = (o) => sock.write(JSON.stringify(o) + '\\n');
const cf = process.argv[process.argv.length - 1];
process.on('SIGINT', () => say({ event: 'sigint' }));
sock.on('connect', () => {
  say({ event: 'ready', who: 'kernel', env: process.env, cwd: process.cwd(), connection: JSON.parse(fs.readFileSync(cf, 'utf8')), mode: fs.statSync(cf).mode & 0o777 });
  cp.spawn(process.execPath, ['-e', ${JSON.stringify(CHILD)}], { stdio: 'ignore' });
});
sock.on('data', (d) => { for (const cmd of String(d).trim().split('\\n')) { if (cmd.startsWith('exit ')) process.exit(Number(cmd.slice(5))); } });
setInterval(() => {}, 1000);
`;

interface Report {
  event: string;
  who?: 'kernel' | 'child';
  env?: Record<string, string>;
  cwd?: string;
  connection?: Record<string, unknown>;
  mode?: number;
}

/** Reports from the probe and its child; each connection is one process, its close that process's end. */
class ReportServer {
  private readonly server: Server;
  private readonly sockets = new Map<string, Socket>();
  private readonly closed = new Map<string, Promise<void>>();
  private readonly reports: Report[] = [];
  private waiters: { pred: (r: Report) => boolean; resolve: (r: Report) => void }[] = [];

  constructor() {
    this.server = createServer((s) => {
      let buf = '';
      let ended!: () => void;
      const gone = new Promise<void>((r) => (ended = r));
      s.on('close', () => ended());
      s.on('data', (d) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const r = JSON.parse(buf.slice(0, i)) as Report;
          buf = buf.slice(i + 1);
          if (r.who && !this.sockets.has(r.who)) {
            this.sockets.set(r.who, s);
            this.closed.set(r.who, gone);
          }
          this.reports.push(r);
          this.waiters = this.waiters.filter((w) => (w.pred(r) ? (w.resolve(r), false) : true));
        }
      });
      s.on('error', () => {});
    });
  }
  listen(path: string): Promise<void> {
    return new Promise((resolve) => this.server.listen(path, () => resolve()));
  }
  next(event: string): Promise<Report> {
    const found = this.reports.find((r) => r.event === event);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ pred: (r) => r.event === event, resolve }));
  }
  /** Resolves when that process's connection has closed (the process ended). */
  gone(who: 'kernel' | 'child'): Promise<void> {
    return this.closed.get(who) ?? Promise.reject(new Error(`${who} never reported`));
  }
  command(cmd: string): void {
    this.sockets.get('kernel')!.write(cmd + '\n');
  }
  close(): Promise<void> {
    for (const s of this.sockets.values()) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

export function describeLauncherContract(name: string, makeLauncher: (runtimeDir: string) => Launcher | Promise<Launcher>): void {
  describe(`Launcher contract: ${name}`, () => {
    let dir: string;
    let launcher: Launcher;
    let reports: ReportServer;
    let request: LaunchRequest;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wb-launcher-'));
      launcher = await makeLauncher(join(dir, 'runtime'));
      reports = new ReportServer();
      const socketPath = join(dir, 'report.sock');
      await reports.listen(socketPath);
      request = {
        kernelId: 'contract-kernel',
        argv: [process.execPath, '-e', PROBE, '--', '{connection_file}'],
        env: { CONTRACT_REPORT_SOCKET: socketPath, PATH: process.env.PATH ?? '/usr/bin:/bin', ONLY_THIS: 'yes' },
        cwd: dir,
        key: 'k3y',
        signatureScheme: 'hmac-sha256',
        kernelName: 'probe',
      };
    });

    afterEach(async () => {
      await reports.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('starts the process with exactly the given env and cwd, and a private connection file', async () => {
      const proc = await launcher.start(request);
      try {
        const ready = await reports.next('ready');
        expect(proc.isAlive()).toBe(true);
        expect(ready.env!.ONLY_THIS).toBe('yes');
        // Nothing of the server's environment leaks into the kernel (MEM_LIMIT/CPU_LIMIT: its own enforced limits, limitEnv).
        for (const k of Object.keys(ready.env!)) expect(['CONTRACT_REPORT_SOCKET', 'PATH', 'ONLY_THIS', 'PWD', 'SHLVL', '_', 'MEM_LIMIT', 'CPU_LIMIT']).toContain(k);
        expect(ready.cwd).toBe(dir);
        expect(ready.mode).toBe(0o600);
        expect(ready.connection).toMatchObject({ key: 'k3y', signature_scheme: 'hmac-sha256', transport: proc.endpoints.transport });
        const ports = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'].map((p) => ready.connection![p]);
        expect(new Set(ports).size).toBe(5);
      } finally {
        await proc[Symbol.asyncDispose]();
      }
    });

    it('delivers a signal to the whole process group (or, if it says it cannot, refuses and leaves the kernel running)', async () => {
      const proc = await launcher.start(request);
      try {
        await reports.next('child-ready');
        if (launcher.deliversSignals === false) {
          await expect(proc.signal('SIGINT')).rejects.toMatchObject({ name: 'AppError' });
          expect(proc.isAlive()).toBe(true);
          return;
        }
        await proc.signal('SIGINT');
        await reports.next('sigint');
        await reports.next('child-sigint');
      } finally {
        await proc[Symbol.asyncDispose]();
      }
    });

    it('kill ends the process; wait and onExit report it', async () => {
      const proc = await launcher.start(request);
      await reports.next('ready');
      const exited = new Promise((resolve) => proc.onExit(resolve));
      const info = await proc.kill();
      expect(info.signal).toBe('SIGKILL');
      await expect(exited).resolves.toEqual(info);
      await expect(proc.wait()).resolves.toEqual(info);
      expect(proc.isAlive()).toBe(false);
      await proc[Symbol.asyncDispose]();
    });

    it('reports the exit code of a kernel that exits by itself', async () => {
      const proc = await launcher.start(request);
      await reports.next('ready');
      reports.command('exit 3');
      await expect(proc.wait()).resolves.toMatchObject({ code: 3, signal: null });
      await proc[Symbol.asyncDispose]();
    });

    it('dispose kills the kernel and its children, removes the connection file, and is idempotent', async () => {
      const proc = await launcher.start(request);
      await reports.next('child-ready');
      const snap = proc.snapshot();
      await Promise.all([proc[Symbol.asyncDispose](), proc[Symbol.asyncDispose]()]);
      expect(proc.isAlive()).toBe(false);
      await reports.gone('kernel');
      await reports.gone('child');
      // A snapshot survives JSON (it is persisted for reattach); a gone kernel cannot be restored.
      await expect(launcher.restore(JSON.parse(JSON.stringify(snap)))).resolves.toBeUndefined();
      expect(existsSync(join(dir, 'runtime', `kernel-${request.kernelId}.json`))).toBe(false);
    });

    it('rejects a kernel binary that does not exist with kernel_launch_failed', async () => {
      await expect(launcher.start({ ...request, argv: ['/nonexistent/kernel-binary', '{connection_file}'] })).rejects.toMatchObject({ code: 'kernel_launch_failed' });
    });
  });
}
