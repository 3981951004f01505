/**
 * Kernels as local child processes, each in its own process group so an
 * interrupt or kill reaches everything the kernel spawned. The connection
 * file is private (0600) in the runtime directory and removed on dispose.
 *
 * With a sandbox (see sandbox.ts) the kernel runs in bubblewrap inside its
 * own cgroups: `sh` is started first and moved into the groups, and only
 * then execs (setpriv and) bwrap, so nothing the kernel does escapes the
 * limits. Signals go to the sandbox's process group (bwrap's --new-session
 * child), not to bwrap itself, which would take the sandbox down with it.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { constants } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError, Emitter, Logger, silentLogger, raceSignal } from '@workbench/core';
import { limitEnv, type ExitInfo, type KernelEndpoints, type KernelProcess, type Launcher, type LaunchRequest, type LauncherSnapshot } from '@workbench/launcher';
import { PortAllocator } from './ports';
import { formatBytes, KernelCgroup, Limits } from './cgroups';
import { bwrapArgs, detectSandbox, programPaths, SandboxConfig, SandboxStatus } from './sandbox';

export interface LocalLauncherOptions {
  runtimeDir: string;
  ip?: string;
  logger?: Logger;
  /** How much stderr to keep for error messages. */
  stderrTailBytes?: number;
  /** Run kernels sandboxed (absent: plain child processes). */
  sandbox?: SandboxConfig;
  /** Limits for kernels whose request names none. */
  defaultResources?: LaunchRequest['resources'];
}

let sequence = 0;

/** Where a sandboxed kernel sees its own directory (connection file, ipc sockets). */
const SANDBOX_RUN = '/run/workbench';
/** Where a sandboxed kernel sees the server's API socket. */
const SANDBOX_API_SOCKET = '/run/workbench-api.sock';

export class LocalLauncher implements Launcher {
  readonly name = 'local';
  readonly seesServerFiles = true;
  private readonly ports: PortAllocator;
  private readonly ip: string;
  private readonly logger: Logger;
  private status: Promise<SandboxStatus> | undefined;

  constructor(private readonly options: LocalLauncherOptions) {
    this.ip = options.ip ?? '127.0.0.1';
    this.ports = new PortAllocator(this.ip);
    this.logger = options.logger ?? silentLogger;
  }

  /** What the sandbox can do here (detected once); undefined without a sandbox config. */
  sandboxStatus(): Promise<SandboxStatus> | undefined {
    if (!this.options.sandbox) return undefined;
    this.status ??= detectSandbox(this.options.sandbox);
    return this.status;
  }

  async start(request: LaunchRequest, options: { signal?: AbortSignal } = {}): Promise<KernelProcess> {
    const status = await this.sandboxStatus();
    if (status?.refuse) throw new AppError('kernel_launch_failed', `Cannot start kernel ${request.kernelName}: the kernel sandbox is unavailable (${status.problems[0]}); install it or set sandbox.on_missing to "unsandboxed"`);
    const sandbox = status?.active ? this.options.sandbox! : undefined;
    const network = sandbox ? (request.sandbox?.network ?? sandbox.network) : true;
    await mkdir(this.options.runtimeDir, { recursive: true, mode: 0o700 });
    const id = `${request.kernelId}-${process.pid}-${++sequence}`;
    const hostIds = sandbox && process.getuid?.() === 0 && sandbox.hostUid !== undefined ? { uid: sandbox.hostUid, gid: sandbox.hostGid ?? sandbox.hostUid } : undefined;
    let endpoints: KernelEndpoints;
    // In the sandbox, the kernel's own directory (bound read-write: kernels such as ipykernel
    // rewrite their connection file) holds the connection file and any ipc sockets.
    let ipcDir: string | undefined;
    if (sandbox) {
      ipcDir = join(await this.sandboxBase(), `${request.kernelId.slice(0, 8)}-${sequence}`);
      await mkdir(ipcDir, { mode: 0o700 });
      if (hostIds) await chown(ipcDir, hostIds.uid, hostIds.gid);
    }
    if (network) {
      const [shell, iopub, stdin, control, hb] = await raceSignal(this.ports.allocate(5), options.signal, 'allocate kernel ports');
      endpoints = { transport: 'tcp', ip: this.ip, shell_port: shell!, iopub_port: iopub!, stdin_port: stdin!, control_port: control!, hb_port: hb! };
    } else {
      // No network inside: ZeroMQ over ipc sockets in the kernel's directory.
      endpoints = { transport: 'ipc', ip: join(ipcDir!, 'k'), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };
    }
    // Inside the sandbox the kernel's directory is /run/workbench: the kernel learns no host path
    // of the server's; the gateway uses the host path of the same sockets.
    const connectionFile = join(ipcDir ?? this.options.runtimeDir, `kernel-${request.kernelId}.json`);
    const seenAs = (p: string) => (ipcDir ? p.replace(ipcDir, SANDBOX_RUN) : p);
    const connection = { ...endpoints, ip: seenAs(endpoints.ip), key: request.key, signature_scheme: request.signatureScheme, kernel_name: request.kernelName };
    await writeFile(connectionFile, JSON.stringify(connection, null, 1), { mode: 0o600 });
    if (hostIds) await chown(connectionFile, hostIds.uid, hostIds.gid);
    const argv = request.argv.map((a) => a.replaceAll('{connection_file}', seenAs(connectionFile)));

    // Listening once the server is up: kernels started before (a warm pool) go without it.
    const apiSocket = this.apiSocket && existsSync(this.apiSocket) ? this.apiSocket : undefined;
    let cgroup: KernelCgroup | undefined;
    let child: ChildProcess;
    const resources = { ...this.options.defaultResources, ...request.resources };
    const limits: Limits = {
      memoryBytes: resources.memoryLimitBytes ?? resources.memoryBytes,
      cpus: resources.cpusLimit ?? resources.cpus,
      pids: resources.pidsLimit,
    };
    if (sandbox) {
      // bwrap reports the sandbox before it execs the kernel: a missing program must be caught here.
      if (!findProgram(argv[0]!, request.env.PATH)) throw new AppError('kernel_launch_failed', `Cannot start kernel ${request.kernelName}: ${argv[0]} could not be run (ENOENT)`);
      cgroup = status!.cgroups.controllers.length > 0 ? await KernelCgroup.create(status!.cgroups, id, limits) : undefined;
      const prefix: string[] = [];
      if (hostIds) prefix.push('/usr/bin/setpriv', `--reuid=${hostIds.uid}`, `--regid=${hostIds.gid}`, '--clear-groups', '--');
      // Without cgroups, rlimits are what is left: address space for memory, and processes per uid
      // only where the kernel has a uid of its own.
      const rl: string[] = [];
      if (limits.memoryBytes && !status!.cgroups.controllers.includes('memory')) rl.push(`--as=${limits.memoryBytes}`);
      if (limits.pids && !status!.cgroups.controllers.includes('pids') && hostIds) rl.push(`--nproc=${limits.pids}`);
      if (rl.length > 0) prefix.push('/usr/bin/prlimit', ...rl, '--');
      const args = bwrapArgs({
        config: sandbox,
        cwd: request.cwd,
        network,
        readOnly: [...(request.sandbox?.readOnlyPaths ?? []), ...programPaths(argv[0]!)],
        writable: [
          ...(ipcDir ? [[ipcDir, SANDBOX_RUN] as const] : []),
          ...(apiSocket ? [[apiSocket, SANDBOX_API_SOCKET] as const] : []),
          // Read-write at their own path (a project's Python environment, for %pip).
          ...(request.sandbox?.writablePaths ?? []).filter((p) => isAbsolute(p)).map((p) => [p, p] as const),
        ],
        files: [],
        home: request.env.HOME,
        infoFd: 3,
      });
      child = spawn('/bin/sh', ['-c', 'read -r go && exec "$@" </dev/null', 'sh', ...prefix, status!.bwrap!, ...args, '--', ...argv], {
        cwd: '/',
        env: { ...request.env, ...limitEnv({ memoryBytes: limits.memoryBytes, cpus: cgroup && status!.cgroups.controllers.includes('cpu') ? limits.cpus : undefined }), ...(apiSocket ? { WORKBENCH_API_SOCKET: SANDBOX_API_SOCKET } : {}) },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      });
    } else {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: request.cwd,
        env: { ...request.env, ...(apiSocket ? { WORKBENCH_API_SOCKET: apiSocket } : {}) },
        detached: true, // own process group: signals reach the kernel's children too
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    const proc = new LocalKernelProcess(child, endpoints, connectionFile, this.logger.child({ kernel_id: request.kernelId }), this.options.stderrTailBytes ?? 8192, { cgroup, ipcDir, sandboxed: Boolean(sandbox) });
    try {
      await proc.spawned;
      if (sandbox) {
        await cgroup?.add(child.pid!);
        child.stdin!.end('go\n');
        await proc.sandboxReady(argv[0]!);
      }
    } catch (err) {
      await proc[Symbol.asyncDispose]();
      if (err instanceof AppError) throw err;
      throw new AppError('kernel_launch_failed', `Cannot start kernel ${request.kernelName}: ${argv[0]} could not be run (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
    return proc;
  }

  private base: Promise<string> | undefined;

  /** Kernels' own directories live in one traversable (0711) folder, so a kernel running under
   * another uid can reach its directory and nothing else. */
  private apiSocket: string | undefined;

  /**
   * Where the server should answer code in kernels on a Unix socket
   * (server/http listenUnix): in the sandboxes' own folder (mode 711, so a
   * kernel running as another uid reaches it), bound into each sandbox at
   * /run/workbench-api.sock and named by WORKBENCH_API_SOCKET; without a
   * sandbox, in the runtime folder. Kernels started once it exists are told.
   */
  async apiSocketPath(): Promise<string> {
    await mkdir(this.options.runtimeDir, { recursive: true, mode: 0o700 });
    this.apiSocket ??= join(this.options.sandbox ? await this.sandboxBase() : this.options.runtimeDir, 'api.sock');
    return this.apiSocket;
  }

  private sandboxBase(): Promise<string> {
    this.base ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'workbench-sandbox-'));
      await chmod(dir, 0o711);
      return dir;
    })();
    return this.base;
  }

  /** A local child cannot be re-adopted by a new gateway process: it died with the old one. */
  async restore(_snapshot: LauncherSnapshot): Promise<KernelProcess | undefined> {
    return undefined;
  }
}

interface SandboxParts {
  cgroup: KernelCgroup | undefined;
  ipcDir: string | undefined;
  sandboxed: boolean;
}

class LocalKernelProcess implements KernelProcess {
  readonly spawned: Promise<void>;
  private exitInfo: ExitInfo | undefined;
  private readonly exitPromise: Promise<ExitInfo>;
  private readonly exitEmitter = new Emitter<ExitInfo>();
  readonly onExit = this.exitEmitter.event;
  private stderr = '';
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly endpoints: KernelEndpoints,
    private readonly connectionFile: string,
    private readonly logger: Logger,
    private readonly tailBytes: number,
    private readonly parts: SandboxParts,
  ) {
    this.spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.exitPromise = new Promise<ExitInfo>((resolve) => {
      // 'exit', not 'close': a grandchild holding the stdio pipes must not delay it.
      child.once('exit', (code, signal) => {
        void this.describe(code, signal).then((info) => {
          this.exitInfo = info;
          resolve(info);
          this.exitEmitter.fire(info);
        });
      });
      // A spawn failure emits 'error' and (sometimes) no 'close'.
      child.once('error', () => {
        if (child.pid === undefined && !this.exitInfo) {
          this.exitInfo = { code: null, signal: null, reason: 'could not be started' };
          resolve(this.exitInfo);
          this.exitEmitter.fire(this.exitInfo);
        }
      });
    });
    child.stdout?.on('data', (d: Buffer) => this.logger.debug({ stream: 'stdout' }, d.toString('utf8').trimEnd()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      this.stderr = (this.stderr + text).slice(-this.tailBytes);
      this.logger.debug({ stream: 'stderr' }, text.trimEnd());
    });
  }

  /** Host pid of the sandbox's session leader (bwrap's --info-fd "child-pid"). */
  private sandboxPid: number | undefined;

  /** Wait for bwrap to report the sandbox (or for the start to fail, with bwrap's words). */
  async sandboxReady(program: string): Promise<void> {
    const info = this.child.stdio[3] as Readable;
    let text = '';
    info.on('data', (d: Buffer) => (text += d.toString()));
    const reported = new Promise<boolean>((resolve) => {
      info.on('data', () => {
        const m = /"child-pid":\s*(\d+)/.exec(text);
        if (m) {
          this.sandboxPid = Number(m[1]);
          resolve(true);
        }
      });
      void this.exitPromise.then(() => resolve(false));
    });
    if (!(await reported)) {
      const said = this.stderr.trim().split('\n').slice(-3).join('; ');
      throw new AppError('kernel_launch_failed', `Cannot start kernel: ${program} could not be run in the sandbox (${said || describeCode(this.exitInfo)})`);
    }
  }

  /** bwrap reports a kernel killed by signal N as exit code 128+N; the cgroup says whether it was the OOM killer. */
  private async describe(code: number | null, signal: NodeJS.Signals | null): Promise<ExitInfo> {
    if (this.parts.sandboxed && code !== null && code > 128 && code < 128 + 65) {
      const num = code - 128;
      const name = Object.entries(constants.signals).find(([, n]) => n === num)?.[0] as NodeJS.Signals | undefined;
      if (name) {
        code = null;
        signal = name;
      }
    }
    const info: ExitInfo = { code, signal };
    const cg = this.parts.cgroup;
    if (cg && (await cg.oomKills()) > 0) info.reason = `out of memory (limit ${formatBytes(cg.limits.memoryBytes ?? 0)})`;
    return info;
  }

  get label(): string {
    return `pid ${this.child.pid ?? '?'}`;
  }

  wait(): Promise<ExitInfo> {
    return this.exitPromise;
  }

  isAlive(): boolean {
    return this.child.pid !== undefined && this.exitInfo === undefined;
  }

  async signal(sig: NodeJS.Signals): Promise<void> {
    if (!this.isAlive()) return;
    try {
      process.kill(-(this.sandboxPid ?? this.child.pid!), sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  async kill(): Promise<ExitInfo> {
    if (this.isAlive()) {
      try {
        // bwrap itself (and with it, --die-with-parent, the sandbox), or the plain kernel's group.
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    return this.exitPromise;
  }

  stderrTail(): string {
    return this.stderr;
  }

  snapshot(): LauncherSnapshot {
    return { pid: this.child.pid, sandboxPid: this.sandboxPid, endpoints: this.endpoints };
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      if (this.isAlive()) await this.kill();
      // Anything left in the group (a grandchild that ignored the parent's death).
      if (this.child.pid !== undefined) {
        try {
          process.kill(-this.child.pid, 'SIGKILL');
        } catch {
          /* group already gone */
        }
      }
      if (this.sandboxPid !== undefined) {
        try {
          process.kill(-this.sandboxPid, 'SIGKILL');
        } catch {
          /* sandbox already gone */
        }
      }
      await this.parts.cgroup?.remove();
      await rm(this.connectionFile, { force: true });
      if (this.parts.ipcDir) await rm(this.parts.ipcDir, { recursive: true, force: true });
      this.exitEmitter.dispose();
    })();
    return this.disposed;
  }
}

function describeCode(info: ExitInfo | undefined): string {
  if (!info) return 'no report from bwrap';
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

/** The program's path if it exists and is executable (bare names looked up in PATH). */
function findProgram(program: string, path: string | undefined): string | undefined {
  const candidates = program.includes('/') ? [program] : (path ?? '').split(':').filter((d) => isAbsolute(d)).map((d) => join(d, program));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}
