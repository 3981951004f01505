/**
 * Kernels as local child processes, each in its own process group so an
 * interrupt or kill reaches everything the kernel spawned. The connection
 * file is private (0600) in the runtime directory and removed on dispose.
 *
 * Sandboxing (bubblewrap, cgroups) is layered on in a later issue; this
 * launcher already passes a complete, non-inherited environment.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Emitter, Logger, silentLogger, raceSignal } from '@workbench/core';
import type { ExitInfo, KernelEndpoints, KernelProcess, Launcher, LaunchRequest, LauncherSnapshot } from '@workbench/launcher';
import { PortAllocator } from './ports';

export interface LocalLauncherOptions {
  runtimeDir: string;
  ip?: string;
  logger?: Logger;
  /** How much stderr to keep for error messages. */
  stderrTailBytes?: number;
}

export class LocalLauncher implements Launcher {
  readonly name = 'local';
  private readonly ports: PortAllocator;
  private readonly ip: string;
  private readonly logger: Logger;

  constructor(private readonly options: LocalLauncherOptions) {
    this.ip = options.ip ?? '127.0.0.1';
    this.ports = new PortAllocator(this.ip);
    this.logger = options.logger ?? silentLogger;
  }

  async start(request: LaunchRequest, options: { signal?: AbortSignal } = {}): Promise<KernelProcess> {
    const [shell, iopub, stdin, control, hb] = await raceSignal(this.ports.allocate(5), options.signal, 'allocate kernel ports');
    const endpoints: KernelEndpoints = { transport: 'tcp', ip: this.ip, shell_port: shell!, iopub_port: iopub!, stdin_port: stdin!, control_port: control!, hb_port: hb! };
    await mkdir(this.options.runtimeDir, { recursive: true, mode: 0o700 });
    const connectionFile = join(this.options.runtimeDir, `kernel-${request.kernelId}.json`);
    const connection = { ...endpoints, key: request.key, signature_scheme: request.signatureScheme, kernel_name: request.kernelName };
    await writeFile(connectionFile, JSON.stringify(connection, null, 1), { mode: 0o600 });
    const argv = request.argv.map((a) => a.replaceAll('{connection_file}', connectionFile));
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: request.cwd,
      env: { ...request.env },
      detached: true, // own process group: signals reach the kernel's children too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new LocalKernelProcess(child, endpoints, connectionFile, this.logger.child({ kernel_id: request.kernelId }), this.options.stderrTailBytes ?? 8192);
    try {
      await proc.spawned;
    } catch (err) {
      await proc[Symbol.asyncDispose]();
      throw new AppError('kernel_launch_failed', `Cannot start kernel ${request.kernelName}: ${argv[0]} could not be run (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
    return proc;
  }

  /** A local child cannot be re-adopted by a new gateway process: it died with the old one. */
  async restore(_snapshot: LauncherSnapshot): Promise<KernelProcess | undefined> {
    return undefined;
  }
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
  ) {
    this.spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.exitPromise = new Promise<ExitInfo>((resolve) => {
      // 'exit', not 'close': a grandchild holding the stdio pipes must not delay it.
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        this.exitEmitter.fire(this.exitInfo);
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
      process.kill(-this.child.pid!, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  async kill(): Promise<ExitInfo> {
    await this.signal('SIGKILL');
    return this.exitPromise;
  }

  stderrTail(): string {
    return this.stderr;
  }

  snapshot(): LauncherSnapshot {
    return { pid: this.child.pid, endpoints: this.endpoints };
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
      await rm(this.connectionFile, { force: true });
      this.exitEmitter.dispose();
    })();
    return this.disposed;
  }
}
